"""The suitability pages through Django's test client: Chinese, scope, masked names, forms that refuse."""

from __future__ import annotations

import pytest
from django.test import Client

from .conftest import answers_for

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_pages_are_in_chinese_and_mask_individuals(kit):
    profile, product = kit.investor("C3"), kit.product("R2")
    client = client_for(kit.world.bj_cm)
    home = client.get("/suitability/").content.decode()
    assert "资产管理适当性" in home and "投资者" in home
    assert profile.customer.true_name not in home and profile.customer.true_name[0] + "*" in home
    detail = client.get(f"/suitability/investors/{profile.pk}/").content.decode()
    assert "风险测评问卷" in detail and "C3（稳健型）" in detail and product.code in detail
    for url in ["/suitability/products/", "/suitability/filings/", "/suitability/reports/"]:
        assert client.get(url).status_code == 200, url


def test_out_of_scope_profile_is_404_and_no_role_is_403(kit):
    profile = kit.investor("C3")
    assert client_for(kit.world.sh_cm).get(f"/suitability/investors/{profile.pk}/").status_code == 404
    assert client_for(kit.world.admin).get("/suitability/").status_code == 403


def test_questionnaire_form_records_the_class_and_bad_answers_write_nothing(kit):
    profile = kit.investor(cls=None)
    client = client_for(kit.world.bj_cm)
    bad = client.post(f"/suitability/investors/{profile.pk}/action/", {"action": "assess", "q_experience": "a"},
                      follow=True)
    assert "请从选项中回答每一道题" in bad.content.decode()
    assert not profile.assessments.exists()
    data = {"action": "assess", **{f"q_{k}": v for k, v in answers_for(20).items()}}
    client.post(f"/suitability/investors/{profile.pk}/action/", data)
    assert profile.assessments.get().investor_class == "C5"


def test_refused_step_shows_the_reason_in_chinese(kit):
    profile, product = kit.investor("C2"), kit.product("R4")
    client = client_for(kit.world.bj_cm)
    response = client.post(f"/suitability/investors/{profile.pk}/action/",
                           {"action": "subscribe", "product_id": product.pk, "amount": "1000000"})
    sub = profile.subscriptions.get()
    assert response.url == f"/suitability/subscriptions/{sub.pk}/"
    client.post(f"/suitability/subscriptions/{sub.pk}/action/", {"step": "kyc_done"})
    page = client.post(f"/suitability/subscriptions/{sub.pk}/action/", {"step": "check"}, follow=True)
    assert "产品风险等级高于投资者可购买的等级" in page.content.decode()
