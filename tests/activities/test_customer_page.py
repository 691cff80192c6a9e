"""The customer page, its timeline and the API behind them, as a user meets them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import transaction
from django.test import Client
from django.utils import timezone

from kehu.activities import services
from kehu.core.audit import audit_record
from kehu.core.models import AuditEvent
from kehu.helpdesk.events import HelpdeskEvent

pytestmark = pytest.mark.django_db


def _page(user, path):
    client = Client()
    client.force_login(user)
    return client.get(path)


def _walk(api, username, customer_id, query=""):
    """Every timeline entry, page after page, as an API client follows the cursors."""
    seen, cursor, pages = [], None, 0
    while True:
        path = f"/customers/{customer_id}/timeline?limit=25{query}" + (f"&cursor={cursor}" if cursor else "")
        response = api.get(username, path)
        assert response.status_code == 200, response.content
        body = response.json()
        seen += body["entries"]
        pages += 1
        cursor = body["next_cursor"]
        if not cursor:
            return seen, pages


def test_the_customer_page_shows_where_we_stand_and_the_timeline(world):
    customer = world.enterprise()
    services.activity_log(actor=world.bj_cm, customer_id=customer.pk, kind="call", summary="询问订货计划",
                          follow_up={"title": "寄送报价", "assignee_id": world.bj_sales.pk,
                                     "due_on": timezone.localdate() + timedelta(days=3)})
    html = _page(world.bj_cm, f"/customers/{customer.pk}/").content.decode()
    for anchor in ('id="overview"', 'id="card-archive"', 'id="card-contact"', 'id="timeline"', 'id="activities"'):
        assert anchor in html
    assert "询问订货计划" in html and "寄送报价" in html
    # The colleague's follow-up is listed in the activity block, and the manager may log more.
    assert 'id="customer-open-tasks"' in html and 'id="action-activity"' in html
    auditor = _page(world.bj_auditor, f"/customers/{customer.pk}/").content.decode()
    assert 'id="recent-activities"' in auditor and 'id="action-activity"' not in auditor


def test_a_user_of_another_branch_sees_neither_the_page_nor_any_timeline_entry(world, api):
    customer = world.enterprise()
    services.activity_log(actor=world.bj_cm, customer_id=customer.pk, kind="visit", summary="拜访")
    assert _page(world.sh_cm, f"/customers/{customer.pk}/").status_code == 404
    assert _page(world.sh_cm, f"/customers/{customer.pk}/timeline/").status_code == 404
    for path in (f"/customers/{customer.pk}/timeline", f"/customers/{customer.pk}/overview",
                 f"/customers/{customer.pk}/activities"):
        response = api.get("sh_cm", path)
        assert response.status_code == 404 and response.json()["code"] == "not_found"


def test_the_timeline_pages_through_every_entry_once_newest_first(world, api):
    customer = world.enterprise()
    now = timezone.now()
    for i in range(40):
        services.activity_log(actor=world.bj_cm, customer_id=customer.pk, kind="call", summary=f"电话 {i}",
                              occurred_at=now - timedelta(hours=i))
    services.task_assign(actor=world.bj_cm, customer_id=customer.pk, title="回访", assignee_id=world.bj_cm.pk,
                         due_on=timezone.localdate() + timedelta(days=1))
    expected = AuditEvent.objects.filter(customer_id=customer.pk).exclude(event_code=2201).count() + 40
    entries, pages = _walk(api, "bj_cm", customer.pk)
    keys = [e["key"] for e in entries]
    assert len(keys) == len(set(keys)) == expected and pages == -(-expected // 25)
    stamps = [(e["ts"], e["key"]) for e in entries]
    assert stamps == sorted(stamps, reverse=True)


def test_the_timeline_filters_by_kind(world, api):
    customer = world.enterprise()
    services.activity_log(actor=world.bj_cm, customer_id=customer.pk, kind="meeting", summary="年度会谈")
    entries, _ = _walk(api, "bj_cm", customer.pk, "&kind=activity")
    assert [e["kind"] for e in entries] == ["activity"] and "年度会谈" in entries[0]["title"]
    entries, _ = _walk(api, "bj_cm", customer.pk, "&kind=archive")
    assert entries and {e["kind"] for e in entries} == {"archive"}


def test_a_reader_without_the_module_permission_does_not_see_its_events(world, api):
    customer = world.enterprise()
    with transaction.atomic():
        audit_record(actor=None, event_code=HelpdeskEvent.TICKET_OPENED, object_type="ticket", object_id=1,
                     customer_id=customer.pk, reason="投诉: 质量问题")
    mine, _ = _walk(api, "bj_cm", customer.pk)
    assert "ticket" in {e["kind"] for e in mine}
    # The department reviewer reads the archive but not the helpdesk: neither under its kind nor as "other".
    theirs, _ = _walk(api, "bj_dept", customer.pk)
    assert theirs and all(e["kind"] != "ticket" and "质量问题" not in e["detail"] for e in theirs)
    only, _ = _walk(api, "bj_dept", customer.pk, "&kind=ticket")
    assert only == []


def test_personal_data_is_masked_on_the_page_and_the_timeline(world):
    person = world.individual(name="张三丰", id_number="11010519491231002X", phone="13912345678")
    services.activity_log(actor=world.bj_cm, customer_id=person.pk, kind="call", summary="电话")
    for path in (f"/customers/{person.pk}/", f"/customers/{person.pk}/timeline/", "/activities/"):
        html = _page(world.bj_cm, path).content.decode()
        assert "11010519491231002X" not in html and "13912345678" not in html
    timeline = _page(world.bj_cm, f"/customers/{person.pk}/timeline/").content.decode()
    assert "张三丰" not in timeline


def test_a_bad_cursor_is_a_clear_400(world, api):
    customer = world.enterprise()
    response = api.get("bj_cm", f"/customers/{customer.pk}/timeline?cursor=%%%not-a-cursor")
    assert response.status_code == 400 and response.json()["code"] == "bad_cursor"
    assert _page(world.bj_cm, f"/customers/{customer.pk}/timeline/?cursor=zzz").status_code == 400


def test_activities_and_follow_ups_through_the_api(world, api):
    customer = world.enterprise()
    due = (timezone.localdate() + timedelta(days=2)).isoformat()
    response = api.post("bj_cm", f"/customers/{customer.pk}/activities", {
        "kind": "call", "summary": "确认发货", "follow_up": {"title": "核对回款", "assignee_id": world.bj_sales.pk,
                                                          "due_on": due}})
    assert response.status_code == 201, response.content
    activity = response.json()
    assert activity["summary"] == "确认发货" and activity["version"] == 1
    tasks = api.get("bj_sales", "/activities/tasks").json()
    assert [t["title"] for t in tasks] == ["核对回款"]
    done = api.post("bj_sales", f"/activities/tasks/{tasks[0]['id']}/done", {"note": "已核对"})
    assert done.status_code == 200 and done.json()["status"] == "done"
    again = api.post("bj_sales", f"/activities/tasks/{tasks[0]['id']}/done", {})
    assert again.status_code == 409 and again.json()["code"] == "task_closed"
    bad = api.post("bj_cm", f"/customers/{customer.pk}/activities", {"kind": "telegram", "summary": "x"})
    assert bad.status_code == 400 and "code" in bad.json() and "message" in bad.json()
    patched = api.patch("bj_cm", f"/activities/{activity['id']}", {"expected_version": 1, "outcome": "已发货"})
    assert patched.status_code == 200 and patched.json()["version"] == 2
    gone = api.delete("bj_cm", f"/activities/{activity['id']}?reason=误录")
    assert gone.status_code == 204
    assert api.get("bj_cm", f"/activities/{activity['id']}").status_code == 404


def test_logging_from_the_page_with_a_follow_up(world):
    customer = world.enterprise()
    client = Client()
    client.force_login(world.bj_cm)
    due = (timezone.localdate() + timedelta(days=5)).isoformat()
    response = client.post(f"/activities/customer/{customer.pk}/log/", {
        "activity-kind": "visit", "activity-summary": "上门拜访", "activity-follow_up_title": "发送合同草稿",
        "activity-follow_up_assignee": str(world.bj_sales.pk), "activity-follow_up_due_on": due})
    assert response.status_code == 302
    assert customer.activities.get().summary == "上门拜访"
    assert customer.follow_ups.get().assignee == world.bj_sales
    page = _page(world.bj_sales, "/activities/").content.decode()
    assert "发送合同草稿" in page


def test_the_customer_export_carries_the_last_and_next_contact(world, tmp_path):
    import csv

    from kehu.bulk import exports

    customer = world.enterprise()
    quiet = world.enterprise()
    services.activity_log(actor=world.bj_cm, customer_id=customer.pk, kind="call", summary="电话",
                          occurred_at=timezone.now() - timedelta(days=3))
    due = timezone.localdate() + timedelta(days=6)
    task = services.task_assign(actor=world.bj_cm, customer_id=customer.pk, title="回访", assignee_id=world.bj_cm.pk,
                                due_on=due)
    path = tmp_path / "customers.csv"
    exports.export_customers(actor=world.bj_cm, path=path, fmt="csv")
    with path.open(encoding="utf-8-sig") as fh:
        rows = list(csv.reader(fh))
    header = rows[0]
    last, nxt = header.index("最近联系"), header.index("计划下次联系")
    row = next(r for r in rows[1:] if customer.uscc in r)
    assert row[last] == f"{timezone.localdate() - timedelta(days=3):%Y-%m-%d}"
    assert row[nxt] == f"{task.due_on:%Y-%m-%d}"
    other = next(r for r in rows[1:] if quiet.uscc in r)
    assert other[last] == "" and other[nxt] == ""
    # A user of another branch exports none of these customers.
    theirs = tmp_path / "theirs.csv"
    exports.export_customers(actor=world.sh_cm, path=theirs, fmt="csv")
    assert customer.uscc not in theirs.read_text(encoding="utf-8-sig")
