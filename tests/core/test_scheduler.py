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
from kehu.core.jobs import worker_loop
from kehu.core.models import AuditEvent, ScheduledRun
from kehu.core.models import Job as JobRow
from kehu.core.scheduler import (
    JOBS,
    SLOT_KIND,
    STALE_JOB,
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


# --------------------------------------------------------------- slots run on workers (issue 17)

@pytest.fixture
def workers(settings):
    """Background jobs have workers (``kehu serve``'s embedded worker): ticks queue the slots' work."""
    settings.KEHU_JOB_RUNNER = "worker"


def _work_the_queue() -> int:
    return worker_loop(once=True, poll=0)


@pytest.mark.django_db(transaction=True)
def test_where_workers_exist_a_tick_queues_the_slot_and_a_worker_runs_it(jobs, workers):
    job, calls = counting_job()
    jobs[job.code] = job
    first = run_due(now=at("2026-11-29T10:00"))
    assert [o.state for o in first] == ["queued"] and calls == []  # the tick did not do the work
    queued = JobRow.objects.get(pk=first[0].detail["job_id"])
    assert (queued.kind, queued.status, queued.params["slot"]) == (SLOT_KIND, "queued", "S1")
    assert ScheduledRun.objects.get().state == "running"
    # a second server ticking meanwhile finds the slot claimed and queues nothing
    assert [o.state for o in run_due(now=at("2026-11-29T10:01"))] == ["skipped"]
    assert _work_the_queue() == 1
    assert calls == ["S1"]
    run, queued = ScheduledRun.objects.get(), JobRow.objects.get(pk=queued.pk)
    assert (run.state, run.attempts, run.result) == ("done", 1, {"n": 1})
    assert queued.status == "done" and queued.result["result"] == {"n": 1}
    assert AuditEvent.objects.filter(event_code=Event.SCHEDULED_RUN_DONE, object_id=str(run.pk)).count() == 1
    assert [o.state for o in run_due(now=at("2026-11-29T10:05"))] == ["skipped"]
    assert _work_the_queue() == 0 and calls == ["S1"]


@pytest.mark.django_db(transaction=True)
def test_a_queued_slot_taken_over_by_a_later_tick_runs_once(jobs, workers):
    job, calls = counting_job()
    jobs[job.code] = job
    old = run_due(now=at("2026-11-29T09:00"))[0].detail["job_id"]
    # no worker took it for 181 minutes (scheduler.stale_after_minutes): a tick claims the slot again
    new = run_due(now=at("2026-11-29T12:01"))[0].detail["job_id"]
    assert old != new and ScheduledRun.objects.get().attempts == 2
    assert _work_the_queue() == 2
    assert calls == ["S1"]  # the old job found its claim superseded and did nothing
    assert JobRow.objects.get(pk=old).result == {"skipped": "the slot was taken over or has finished"}
    assert ScheduledRun.objects.get().state == "done"


@pytest.mark.django_db(transaction=True)
def test_a_failing_queued_slot_fails_its_job_and_the_next_tick_retries_it(jobs, workers):
    job, calls = counting_job(fail_times=1)
    jobs[job.code] = job
    first = run_due(now=at("2026-11-29T10:00"))[0].detail["job_id"]
    _work_the_queue()
    failed = JobRow.objects.get(pk=first)
    assert failed.status == "failed" and "boom 1" in failed.error
    assert ScheduledRun.objects.get().state == "failed"
    second = run_due(now=at("2026-11-29T10:05"))
    assert second[0].state == "queued"
    _work_the_queue()
    run = ScheduledRun.objects.get()
    assert (run.state, run.attempts, calls) == ("done", 2, ["S1", "S1"])


@pytest.mark.django_db
def test_a_tick_job_runs_in_the_tick_even_where_workers_exist(jobs, workers):
    calls = []
    job = Job("test.rescue", "rescue", lambda now: "S1", lambda s, n: calls.append(s) or {}, in_tick=True)
    jobs[job.code] = job
    assert [o.state for o in run_due(now=at("2026-11-29T10:00"))] == ["done"] and calls == ["S1"]
    assert not JobRow.objects.exists()
    assert STALE_JOB.in_tick  # what takes over lost jobs cannot wait for a worker


@pytest.mark.django_db
def test_inline_runs_the_slot_in_the_ticking_process(jobs, workers):
    job, calls = counting_job()
    jobs[job.code] = job
    call_command("core_schedule_run", "--inline", "--now", "2026-11-29T10:00+08:00")
    assert calls == ["S1"] and not JobRow.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_the_worker_ticks_the_scheduler_and_runs_what_it_queued(jobs, workers):
    job, calls = counting_job(slot="2026-11-29")
    jobs[job.code] = job
    ran = worker_loop(once=True, poll=0, tick=lambda: run_due(inline=False, now=at("2026-11-29T10:00")))
    assert ran == 1 and calls == ["2026-11-29"]
    assert ScheduledRun.objects.get().state == "done"
