"""Scheduled jobs: slots on China's calendar, exactly one run per slot (also with real threads ticking at
once), failed runs retried and then given up, stale runs taken over. The grading job on its
working day is tested in tests/grading/test_schedule.py."""

from __future__ import annotations

import threading
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from kehu.core.audit import Event
from kehu.core.calendar import is_chinese_workday
from kehu.core.models import AuditEvent, ScheduledRun
from kehu.core.scheduler import (
    JOBS,
    Job,
    daily_slot,
    every_slot,
    monthly_slot,
    nth_working_day,
    run_due,
)

SH = ZoneInfo("Asia/Shanghai")


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SH)


# ------------------------------------------------------------------------------------------ pure slots

@pytest.mark.parametrize(("year", "month", "n", "expected"), [
    # National Day 2026: 1-7 October off, Saturday 10 October a make-up working day
    (2026, 10, 1, date(2026, 10, 8)),
    (2026, 10, 3, date(2026, 10, 10)),
    (2026, 10, 5, date(2026, 10, 13)),
    # an ordinary month: 2 November 2026 is a Monday
    (2026, 11, 5, date(2026, 11, 6)),
    # Spring Festival 2026 (15-23 February off, 14 and 28 February make-up days)
    (2026, 2, 5, date(2026, 2, 6)),
])
def test_nth_working_day_follows_chinas_calendar(year, month, n, expected):
    assert nth_working_day(year, month, n, is_chinese_workday) == expected


def test_a_month_without_enough_working_days_is_an_error():
    with pytest.raises(ValueError):
        nth_working_day(2026, 10, 30, is_chinese_workday)


def test_monthly_slot_is_due_from_the_nth_working_day_at_its_time():
    kw = {"working_day": 5, "at": time(2, 0), "is_workday": is_chinese_workday}
    assert monthly_slot(at("2026-10-09T09:00"), **kw) is None
    assert monthly_slot(at("2026-10-13T01:59"), **kw) is None
    assert monthly_slot(at("2026-10-13T02:00"), **kw) == "2026-10"
    assert monthly_slot(at("2026-10-31T23:00"), **kw) == "2026-10"  # a server down on the day catches up


def test_daily_and_every_slots():
    assert daily_slot(at("2026-11-29T00:29"), at=time(0, 30)) == "2026-11-28"
    assert daily_slot(at("2026-11-29T00:30"), at=time(0, 30)) == "2026-11-29"
    assert every_slot(at("2026-11-29T10:14"), minutes=15) == "2026-11-29T10:00"
    assert every_slot(at("2026-11-29T10:15"), minutes=15) == "2026-11-29T10:15"
    assert every_slot(at("2026-11-29T23:59"), minutes=15) == "2026-11-29T23:45"


# ------------------------------------------------------------------------------------------- run_due

@pytest.fixture
def jobs(monkeypatch):
    """Only the test's own jobs are registered while it runs."""
    registry: dict[str, Job] = {}
    monkeypatch.setattr("kehu.core.scheduler.JOBS", registry)
    return registry


def counting_job(code="test.count", fail_times=0, slot="S1"):
    calls = []

    def run(slot_key, now):
        calls.append(slot_key)
        if len(calls) <= fail_times:
            raise RuntimeError(f"boom {len(calls)}")
        return {"n": len(calls)}

    return Job(code, code, lambda now: slot, run), calls


@pytest.mark.django_db
def test_a_slot_runs_once_and_is_audited(jobs):
    job, calls = counting_job()
    jobs[job.code] = job
    first = run_due(now=at("2026-11-29T10:00"))
    again = run_due(now=at("2026-11-29T10:05"))
    assert [o.state for o in first] == ["done"] and [o.state for o in again] == ["skipped"]
    assert calls == ["S1"]
    run = ScheduledRun.objects.get()
    assert (run.state, run.attempts, run.result) == ("done", 1, {"n": 1})
    assert AuditEvent.objects.filter(event_code=Event.SCHEDULED_RUN_DONE, object_id=str(run.pk)).count() == 1


@pytest.mark.django_db
def test_a_not_due_job_does_nothing(jobs):
    job = Job("test.never", "never", lambda now: None, lambda s, n: pytest.fail("must not run"))
    jobs[job.code] = job
    assert [o.state for o in run_due(now=at("2026-11-29T10:00"))] == ["skipped"]
    assert not ScheduledRun.objects.exists()


@pytest.mark.django_db
def test_a_failed_run_is_retried_then_given_up(jobs):
    job, calls = counting_job(fail_times=5)
    other, other_calls = counting_job(code="test.other")
    jobs[job.code], jobs[other.code] = job, other
    states = [run_due(now=at("2026-11-29T10:00") + timedelta(minutes=i))[0].state for i in range(5)]
    # three attempts (scheduler.max_attempts), then the slot is left alone
    assert states == ["failed", "failed", "failed", "skipped", "skipped"]
    run = ScheduledRun.objects.get(job=job.code)
    assert run.state == "failed" and run.attempts == 3 and "boom 3" in run.error
    assert AuditEvent.objects.filter(event_code=Event.SCHEDULED_RUN_FAILED).count() == 3
    assert other_calls == ["S1"]  # one failing job does not stop the others


@pytest.mark.django_db
def test_a_stale_running_slot_is_taken_over_but_a_fresh_one_is_not(jobs):
    job, calls = counting_job()
    jobs[job.code] = job
    ScheduledRun.objects.create(job=job.code, slot="S1", started_at=at("2026-11-29T09:00"))
    assert run_due(now=at("2026-11-29T10:00"))[0].state == "skipped"  # 60 minutes: still running elsewhere
    assert run_due(now=at("2026-11-29T12:01"))[0].state == "done"  # 181 minutes: its process died
    run = ScheduledRun.objects.get()
    assert (run.state, run.attempts, calls) == ("done", 2, ["S1"])


@pytest.mark.django_db(transaction=True)
def test_servers_ticking_at_once_run_a_slot_once(jobs):
    job, calls = counting_job()
    jobs[job.code] = job
    n = 6
    barrier = threading.Barrier(n)
    outcomes, errors = [], []

    def tick():
        try:
            barrier.wait(timeout=30)
            outcomes.extend(o.state for o in run_due(now=at("2026-11-29T10:00")))
        except Exception as exc:  # the test inspects it
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=tick) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == [] and not any(t.is_alive() for t in threads)
    assert calls == ["S1"] and sorted(outcomes) == ["done"] + ["skipped"] * (n - 1)
    assert ScheduledRun.objects.get().state == "done"


# ------------------------------------------------------------------------------ the registered jobs

def test_the_modules_register_their_jobs():
    assert {"grading.monthly_run", "helpdesk.sla_watch", "credit.daily_expire"} <= set(JOBS)


@pytest.mark.parametrize("args", [["--job", "nope"], ["--now", "yesterday"], ["--now", "2026-10-13T02:00"],
                                  ["--loop", "0"]])
@pytest.mark.django_db
def test_bad_options_are_refused(args):
    with pytest.raises(CommandError):
        call_command("core_schedule_run", *args)
    assert not ScheduledRun.objects.exists()


def test_the_admin_lists_runs_read_only(world, jobs):
    from django.test import Client

    job, _calls = counting_job()
    jobs[job.code] = job
    run_due(now=at("2026-11-29T10:00"))
    client = Client()
    client.force_login(world.admin)
    page = client.get("/admin/core/scheduledrun/")
    assert page.status_code == 200 and "test.count" in page.content.decode()
    run = ScheduledRun.objects.get()
    assert client.post(f"/admin/core/scheduledrun/{run.pk}/delete/", {"post": "yes"}).status_code == 403
    assert ScheduledRun.objects.filter(pk=run.pk).exists()
