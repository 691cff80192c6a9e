"""The monthly grading run on its schedule: `kehu schedule run` grades October 2026 on its fifth working day
(13 October, after National Day and the make-up Saturday of 10 October), once, and a failing run makes the
command fail and is recorded (domain spec G-1)."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from kehu.core.models import ScheduledRun


@pytest.mark.django_db
def test_schedule_run_grades_the_month_on_its_fifth_working_day(gworld, policy, capsys):
    from kehu.grading.models import GradingRun

    call_command("core_schedule_run", "--job", "grading.monthly_run", "--now", "2026-10-12T09:00+08:00")
    assert not GradingRun.objects.exists()  # the fourth working day: not due
    call_command("core_schedule_run", "--job", "grading.monthly_run", "--now", "2026-10-13T02:00+08:00")
    run = GradingRun.objects.get()
    assert run.period == date(2026, 10, 1) and run.state == "closed"
    call_command("core_schedule_run", "--job", "grading.monthly_run", "--now", "2026-10-20T02:00+08:00")
    assert GradingRun.objects.count() == 1 and ScheduledRun.objects.get().attempts == 1
    out = capsys.readouterr().out
    assert "grading.monthly_run\t2026-10\tdone" in out and "grading.monthly_run\t2026-10\tskipped" in out


@pytest.mark.django_db
def test_a_failing_job_makes_the_command_fail(gworld):
    # no approved scorecard policy: the grading job fails, is recorded, and the command exits non-zero
    with pytest.raises(CommandError, match="failed"):
        call_command("core_schedule_run", "--job", "grading.monthly_run", "--now", "2026-10-13T02:00+08:00")
    assert ScheduledRun.objects.get().state == "failed"
