"""A domain error that reaches the top of a page view is the page it means, not a server error (500): 404 for
not found, 403 with the reason for a refusal, the error's status and Chinese message otherwise. The API keeps
answering JSON {"code", "message"}."""

from __future__ import annotations

import pytest
from django.test import Client, override_settings
from django.urls import path
from tests.conftest import PASSWORD

from kehu.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied

pytestmark = pytest.mark.django_db


def _raises(error):
    def view(request):
        raise error

    return view


urlpatterns = [
    path("missing/", _raises(NotFound())),
    path("refused/", _raises(PermissionDenied("只有总行可以办理。"))),
    path("invalid/", _raises(InvalidInput("金额必须大于零。", field="amount"))),
    path("conflict/", _raises(Conflict())),
]


@override_settings(ROOT_URLCONF=__name__)
def test_a_domain_error_in_a_page_view_is_the_page_it_means(world):
    from kehu.urls import urlpatterns as kehu_urls

    urlpatterns.extend(kehu_urls)  # the error pages link to the dashboard
    client = Client(raise_request_exception=False)
    assert client.login(username="bj_cm", password=PASSWORD)
    assert client.get("/missing/").status_code == 404
    refused = client.get("/refused/")
    assert refused.status_code == 403 and "只有总行可以办理。" in refused.content.decode()
    invalid = client.get("/invalid/")
    assert invalid.status_code == 400 and "金额必须大于零。" in invalid.content.decode()
    conflict = client.get("/conflict/")
    assert conflict.status_code == 409 and "无法办理" in conflict.content.decode()
