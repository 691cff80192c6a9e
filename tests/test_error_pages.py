"""Error answers a user meets: a 405 is a proper Chinese page (the API answers JSON), a 403 is logged as one
line without a traceback."""

from __future__ import annotations

import io
import logging

import pytest
from django.test import Client

from kehu.core.logfilters import ForbiddenWithoutTraceback

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_405_shows_a_page_like_404_and_403(world):
    customer = world.enterprise()
    response = client_for(world.bj_office).get(f"/customers/{customer.pk}/terminate/")  # a POST-only address
    html = response.content.decode()
    assert response.status_code == 405 and response["Allow"] == "POST"
    assert "<title>" in html and "405 · 不允许的请求方式" in html and "返回" in html


def test_the_api_answers_405_as_json(world):
    response = Client().delete("/api/v1/customers")
    assert response.status_code == 405 and response.json()["code"]


def test_a_403_is_logged_without_a_traceback(world):
    handlers = [h for h in logging.getLogger().handlers
                if any(isinstance(f, ForbiddenWithoutTraceback) for f in h.filters)]
    assert handlers, "the console handler carries the filter"
    stream = io.StringIO()
    old = handlers[0].setStream(stream)
    try:
        assert client_for(world.admin).get("/customers/").status_code == 403
    finally:
        handlers[0].setStream(old)
    logged = stream.getvalue()
    assert "Forbidden" in logged and "/customers/" in logged and "Traceback" not in logged
