"""The nightly accounts.class3_cumulative job on kehu's scheduler."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from kehu.accounts.events import AccountsEvent
from kehu.accounts.models import RemediationTask
from kehu.accounts.rules import SHANGHAI
from kehu.core.models import AuditEvent, RuleParameter, ScheduledRun
from kehu.core.scheduler import JOBS, run_due

from .conftest import at, open_account, post

pytestmark = pytest.mark.django_db


def test_the_nightly_job_raises_the_tasks_a_lowered_threshold_calls_for_once(world, person):
    open_account(world, person, "III", "N1", identity="five_elements", channel="online")
    open_account(world, person, "III", "N2", identity="five_elements", channel="online")
    post(world, "N1", "n1", at(2024, 3, 1, 9), "bound_in", "800.00")
    post(world, "N2", "n2", at(2024, 3, 2, 9), "bound_in", "700.00")  # total 1,500.00 at n2
    post(world, "N1", "n3", at(2024, 3, 3, 9), "bound_out", "300.00")
    other = world.individual()
    open_account(world, other, "III", "N3", identity="five_elements", channel="online")
    post(world, "N3", "o1", at(2024, 3, 1, 9), "bound_in", "100.00")
    assert not RemediationTask.objects.exists()  # far below ¥50,000
    # A lower threshold approved later with an earlier effective date: postings no longer see n2.
    RuleParameter.objects.create(code="acct.class3_kyc_trigger_cumulative", value="1000.00",
                                 effective_from=date(2024, 1, 1), status=RuleParameter.Status.APPROVED)
    job = JOBS["accounts.class3_cumulative"]
    assert job.slot(datetime(2024, 3, 5, 1, 0, tzinfo=SHANGHAI)) == "2024-03-04"  # before 02:00: yesterday's
    night = datetime(2024, 3, 5, 2, 30, tzinfo=SHANGHAI)
    [outcome] = run_due(now=night, only=["accounts.class3_cumulative"])
    assert outcome.state == "done" and outcome.slot == "2024-03-05"
    task = RemediationTask.objects.get()
    assert (task.customer_id, task.trigger_txn.txn_id, task.trigger_date, task.due_date, task.total_fen) == (
        person.pk, "n2", date(2024, 3, 2), date(2024, 3, 9), 150_000)
    assert AuditEvent.objects.filter(event_code=AccountsEvent.REMEDIATION_CREATED, customer_id=person.pk).count() == 1
    summary = ScheduledRun.objects.get(job="accounts.class3_cumulative").result
    assert summary["tasks_created"] == 1 and summary["open"] == 1
    # The same slot does not run twice; a later night finds nothing new.
    assert run_due(now=night, only=["accounts.class3_cumulative"])[0].state == "skipped"
    assert job.run("2024-03-06", datetime(2024, 3, 6, 2, 30, tzinfo=SHANGHAI))["tasks_created"] == 0
    assert RemediationTask.objects.count() == 1
