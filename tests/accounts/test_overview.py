"""The Class III remediation task where users work: the customer manager's inbox (kehu.core.inbox), the
accounts card on the customer page and the accounts' events on its timeline, each within the data scope."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client
from tests._fixtures.api import ApiClient

from kehu.accounts import services
from kehu.accounts.models import RemediationTask
from kehu.core.inbox import inbox_for
from kehu.core.models import RuleParameter

from .conftest import at, open_account, post

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(world):
    return ApiClient(world)


def _page(user, path):
    client = Client()
    client.force_login(user)
    return client.get(path)


def _remediation(user):
    return {s.kind: s for s in inbox_for(user)}.get("class3_remediation")


def _triggered(world, person):
    """A person whose Class III total reached a ¥1,000 threshold on 1 April 2024 (due 8 April)."""
    RuleParameter.objects.create(code="acct.class3_kyc_trigger_cumulative", value="1000.00",
                                 effective_from=date(2024, 1, 1), status=RuleParameter.Status.APPROVED)
    open_account(world, person, "I", "C1")
    open_account(world, person, "III", "T1", identity="five_elements", channel="online")
    post(world, "T1", "t-in", at(2024, 4, 1, 9), "bound_in", "600.00")
    post(world, "T1", "t-out", at(2024, 4, 1, 10), "consumption_payment", "400.00")
    return RemediationTask.objects.get(customer=person)


def test_the_open_task_is_in_the_customer_managers_inbox_and_leaves_it_when_done(world):
    person = world.individual(name="李四光", id_number="11010519491231002X")
    task = _triggered(world, person)
    mine = _remediation(world.bj_cm)
    assert mine.count == 1 and mine.rows[0].url == f"/accounts/tasks/{task.pk}/"
    assert mine.rows[0].customer_id == person.pk and "李四光" not in mine.rows[0].title  # masked
    assert mine.rows[0].code == "overdue" and "2024-04-08" in mine.rows[0].status  # today is past the due date
    dashboard = _page(world.bj_cm, "/").content.decode()
    assert f'href="/accounts/tasks/{task.pk}/"' in dashboard
    # Another branch's manager, a manager limited to own customers and the auditor (no remediation) do not.
    assert _remediation(world.sh_cm).count == 0 and _remediation(world.bj01_cm).count == 0
    assert _remediation(world.bj_auditor) is None
    assert f"/accounts/tasks/{task.pk}/" not in _page(world.sh_cm, "/").content.decode()
    services.remediation_complete(actor=world.bj_cm, task_id=task.pk, id_file=b"scan", id_filename="id.jpg",
                                  occupation="教师", address="北京市朝阳区建国路88号", id_expires_on="2035-01-01")
    assert _remediation(world.bj_cm).count == 0


def test_the_customer_page_shows_the_accounts_card_and_their_events(world, api):
    person = world.individual(name="李四光", id_number="11010519491231002X")
    task = _triggered(world, person)
    html = _page(world.bj_cm, f"/customers/{person.pk}/").content.decode()
    assert 'id="card-accounts"' in html
    for text in ("Ⅰ类户 1 个，Ⅱ类户 0 个，Ⅲ类户 1 个", "¥1,000.00 / ¥1,000.00", "已逾期（应于 2024-04-08 前完成）",
                 f"/accounts/tasks/{task.pk}/"):
        assert text in html, text
    entries = api.get("bj_cm", f"/customers/{person.pk}/timeline?kind=accounts&limit=50").json()["entries"]
    tasks = [e for e in entries if e["key"].startswith("r:")]
    assert len(tasks) == 1 and "¥1,000.00" in tasks[0]["title"]  # the task once, not again as its audit row
    assert len(entries) == 1 + 2 + 2  # the task, two accounts opened, two transactions posted
    assert {e["kind"] for e in entries} == {"accounts"}
    # Another branch: neither the page nor the timeline; the auditor reads both.
    assert _page(world.sh_cm, f"/customers/{person.pk}/").status_code == 404
    assert api.get("sh_cm", f"/customers/{person.pk}/timeline?kind=accounts").status_code == 404
    assert 'id="card-accounts"' in _page(world.bj_auditor, f"/customers/{person.pk}/").content.decode()


def test_a_done_task_reads_done_and_a_customer_without_accounts_has_no_card(world):
    person = world.individual()
    task = _triggered(world, person)
    services.remediation_complete(actor=world.bj_cm, task_id=task.pk, id_file=b"scan", id_filename="id.jpg",
                                  occupation="教师", address="北京市朝阳区建国路88号", id_expires_on="2035-01-01")
    html = _page(world.bj_cm, f"/customers/{person.pk}/").content.decode()
    assert 'id="card-accounts"' in html and "已完成" in html and "已逾期" not in html
    company = world.enterprise()
    assert 'id="card-accounts"' not in _page(world.bj_cm, f"/customers/{company.pk}/").content.decode()
