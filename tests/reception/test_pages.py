import pytest
from django.test import Client

from kehu.reception import services

from .conftest import at

pytestmark = pytest.mark.django_db


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


def test_book_on_the_page_then_check_in_and_print_badge(rworld):
    client = client_for(rworld.bj_agent)
    assert client.get("/reception/visits/new/").status_code == 200
    r = client.post("/reception/visits/new/", {"visitor_kind": "prospect", "visitor_name": "赵四", "purpose": "参观",
                                               "scheduled_start": "2030-01-04T10:00", "expected_minutes": "45",
                                               "vip": "on"})
    assert r.status_code == 302, r.content.decode()
    vid = int(r.url.rstrip("/").split("/")[-1])
    page = client.get(f"/reception/visits/{vid}/").content.decode()
    assert "赵*" in page and "赵四" not in page  # masked
    client.post(f"/reception/visits/{vid}/action/", {"action": "checked_in"})
    badge = client.get(f"/reception/visits/{vid}/badge/")
    assert badge.status_code == 200 and "赵*" in badge.content.decode()
    # The history's columns are states, not the date range the bare "From"/"To" name elsewhere.
    history = client.get(f"/reception/visits/{vid}/").content.decode().split('id="history"')[1]
    assert "原状态" in history and "新状态" in history and "起始日期" not in history
    r = client.post(f"/reception/visits/{vid}/action/", {"action": "checked_out"}, follow=True)
    assert "VIP" in r.content.decode() and services.Visit.objects.get(pk=vid).state == "checked_in"


def test_bad_booking_rerenders_with_the_error(rworld):
    r = client_for(rworld.bj_agent).post("/reception/visits/new/", {"visitor_kind": "prospect", "visitor_name": "",
                                                                   "purpose": "x", "scheduled_start": "bad",
                                                                   "expected_minutes": "10"})
    assert r.status_code == 400 and 'id="form-error"' in r.content.decode()


def test_desk_and_safety_pages(rworld):
    visit = services.visit_book(actor=rworld.bj_agent, visitor_kind="other", visitor_name="钱五", purpose="送货",
                                scheduled_start=at("2030-01-04", "10:00"), expected_minutes=30,
                                now=at("2030-01-01", "10:00"))
    r = client_for(rworld.bj_agent).get("/reception/?day=2030-01-04")
    assert r.status_code == 200 and f"checkin-{visit.pk}" in r.content.decode()
    assert client_for(rworld.sh_agent).get(f"/reception/visits/{visit.pk}/").status_code == 404
    assert client_for(rworld.admin).get("/reception/").status_code == 403
    client = client_for(rworld.bj_agent)
    assert client.post("/reception/safety/", {"action": "create", "name": "灭火器", "first_due_on": "2030-01-01"}
                       ).status_code == 302
    assert "灭火器" in client.get("/reception/safety/").content.decode()
