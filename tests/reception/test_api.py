import pytest

from .conftest import NOW

pytestmark = pytest.mark.django_db


def test_booking_and_check_in_over_the_api(api, rworld):
    r = api.post("bj_agent", "/reception/visits", {
        "visitor_kind": "prospect", "visitor_name": "王小明", "purpose": "参观", "expected_minutes": 30,
        "scheduled_start": "2030-01-01T10:00:00+08:00", "confidential": True})
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["visitor_name"] == "王**" and body["state"] in ("scheduled", "requested")
    vid = body["id"]
    assert api.get("sh_agent", f"/reception/visits/{vid}").status_code == 404
    assert api.get("admin", f"/reception/visits/{vid}").status_code == 403
    assert api.get(None, f"/reception/visits/{vid}").status_code == 401
    assert api.post("bj_agent2", f"/reception/visits/{vid}/transition", {"to": "checked_out"}).status_code == 409
    assert api.get("bj_agent2", f"/reception/visits/{vid}").json()["meeting_notes"] is None  # confidential
    assert api.get("bj_super", f"/reception/visits/{vid}").json()["meeting_notes"] == ""


@pytest.mark.parametrize("body", [
    {"visitor_kind": "prospect", "visitor_name": "x", "purpose": "p", "expected_minutes": -5,
     "scheduled_start": "2030-01-01T10:00:00+08:00"},
    {"visitor_kind": "martian", "visitor_name": "x", "purpose": "p", "expected_minutes": 5,
     "scheduled_start": "2030-01-01T10:00:00+08:00"},
    {"visitor_kind": "prospect", "visitor_name": "x", "purpose": "p", "expected_minutes": 5,
     "scheduled_start": "soon"},
    {"visitor_kind": "prospect", "visitor_name": "x", "purpose": "p", "expected_minutes": 5,
     "scheduled_start": "2030-01-01T10:00:00+08:00", "host_id": 999999},
    {"unexpected": 1},
])
def test_bad_input_is_a_4xx_json_error(api, rworld, body):
    r = api.post("bj_agent", "/reception/visits", body)
    assert 400 <= r.status_code < 500 and {"code", "message"} <= set(r.json())


def test_safety_checks_over_the_api(api, rworld):
    r = api.post("bj_agent", "/reception/safety-checks", {"name": "疏散通道", "first_due_on": str(NOW.date())})
    assert r.status_code == 201 and r.json()["interval_months"] == 1
    item = r.json()["id"]
    r = api.post("bj_agent", f"/reception/safety-checks/{item}/records", {"done_on": "2099-01-01", "passed": True})
    assert r.status_code == 400
    assert api.post("sh_agent", f"/reception/safety-checks/{item}/records",
                    {"done_on": str(NOW.date()), "passed": True}).status_code == 404
