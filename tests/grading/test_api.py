"""The grading API as a client calls it: the walk, the permission matrix and scope, bad input."""

from __future__ import annotations

import pytest
from tests._fixtures.api import ApiClient

from kehu.grading.models import GradeOverride, ScorecardPolicy


@pytest.fixture
def api(gworld):
    return ApiClient(gworld)


def test_walk_policy_run_explain_override(gworld, api):
    c = gworld.admit(gworld.enterprise())
    r = api.post("hq_office", "/grading/policies", {"name": "2026版评分卡"})
    assert r.status_code == 201, r.content
    pid = r.json()["id"]
    assert api.post("hq_office", f"/grading/policies/{pid}/approve", {}).status_code == 403
    assert api.post("hq_committee1", f"/grading/policies/{pid}/approve", {}).json()["status"] == "approved"
    r = api.post("hq_office", "/grading/runs", {"period": "2026-10"})
    assert r.status_code == 201 and r.json()["customers_graded"] == 1
    assert api.post("hq_office", "/grading/runs", {"period": "2026-10"}).json()["code"] == "period_closed"
    r = api.get("bj_cm", f"/grading/results/2026-10/{c.pk}")
    assert r.status_code == 200 and r.json()["grade"] == "C" and r.json()["score_volume"] == "0.00"
    assert api.get("sh_cm", f"/grading/results/2026-10/{c.pk}").status_code == 404
    assert api.get("sh_cm", "/grading/results/2026-10").json() == []
    r = api.post("bj_cm", "/grading/overrides", {"customer_id": c.pk, "period": "2026-10", "to_grade": "B",
                                                 "reason": "战略客户"})
    assert r.status_code == 201, r.content
    oid = r.json()["id"]
    assert api.post("bj_cm", f"/grading/overrides/{oid}/decide", {"approve": True}).status_code == 403
    r = api.post("hq_committee2", f"/grading/overrides/{oid}/decide", {"approve": True})
    assert r.status_code == 200 and r.json()["status"] == "approved"
    assert api.get("bj_cm", f"/grading/results/2026-10/{c.pk}").json()["grade"] == "B"
    r = api.post("hq_office", "/grading/runs/reopen", {"period": "2026-10", "reason": "补录事实"})
    assert r.status_code == 200 and r.json()["state"] == "reopened"


@pytest.mark.parametrize("user,method,path,expected", [
    (None, "GET", "/grading/runs", 401),
    ("bj_cm", "POST", "/grading/runs", 403),
    ("bj_office", "POST", "/grading/runs", 403),  # a branch office cannot run the company-wide job
    ("bj_cm", "POST", "/grading/policies", 403),
    ("sh_cm", "GET", "/grading/policies", 200),
    ("bj_auditor", "GET", "/grading/runs", 200),
    ("hq_committee1", "POST", "/grading/runs", 403),
])
def test_permission_matrix(gworld, api, user, method, path, expected):
    body = {"period": "2026-10"} if path.endswith("runs") else {"name": "x"}
    r = api.call(user, method, path, body if method == "POST" else None)
    assert r.status_code == expected, r.content


@pytest.mark.parametrize("path,body", [
    ("/grading/runs", {"period": "2026-13"}),
    ("/grading/runs", {"period": "October"}),
    ("/grading/runs", {"period": "2026-10", "extra": 1}),
    ("/grading/runs/reopen", {"period": "2026-10", "reason": ""}),
    ("/grading/policies", {"name": "bad", "config": {"indicators": [{"code": "volume", "weight": 100}]}}),
    ("/grading/policies", {"name": ""}),
    ("/grading/overrides", {"customer_id": 1, "period": "2026-10", "to_grade": "F", "reason": "xxxx"}),
])
def test_bad_input_is_4xx_with_a_code(gworld, api, path, body):
    r = api.post("hq_office", path, body)
    assert 400 <= r.status_code < 500, r.content
    assert "code" in r.json() or "detail" in r.json()
    assert not GradeOverride.objects.exists()
    assert not ScorecardPolicy.objects.exists()


def test_out_of_range_ids_are_404_never_500(gworld, api):
    assert api.get("hq_office", "/grading/results/2026-10/99999999999999999999").status_code in (404, 422)
    assert api.post("hq_committee1", "/grading/policies/99999999999/approve", {}).status_code == 404
    assert api.post("hq_committee1", "/grading/overrides/99999999999/decide", {"approve": True}).status_code == 404
    assert api.get("hq_office", "/grading/results/garbage").status_code == 400
