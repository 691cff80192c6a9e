"""``kehu suitability expire`` as an operator runs it, and the same work on kehu's scheduler."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from tests.test_cli import kehu, ok

from kehu.core.models import ScheduledRun
from kehu.core.scheduler import JOBS
from kehu.suitability.models import RiskAssessment, Subscription

SH = ZoneInfo("Asia/Shanghai")


def test_kehu_suitability_expire_runs_from_the_console(kehu_home):
    result = ok(kehu(kehu_home, "suitability", "expire"))
    assert "assessments expired: 0" in result.stdout
    bad = kehu(kehu_home, "suitability", "expire", "--now", "yesterday")
    assert bad.returncode != 0 and "--now" in bad.stderr


@pytest.mark.django_db
def test_the_daily_job_expires_assessments_and_ends_cooling_off_once(kit):
    assert "suitability.daily_expire" in JOBS
    w = kit.world
    old = kit.investor("C3", now=datetime(2024, 1, 10, 10, tzinfo=SH))
    profile, product = kit.investor("C4"), kit.product("R2")
    sub = kit.to_disclosure(profile, product)
    from kehu.suitability import services

    signed = datetime(2026, 12, 7, 22, 0, tzinfo=SH)
    services.subscription_sign_contract(actor=w.bj_cm, subscription_id=sub.pk, now=signed)
    services.subscription_funds_received(actor=w.bj_cm, subscription_id=sub.pk, now=signed)
    call_command("core_schedule_run", "--job", "suitability.daily_expire", "--now", "2026-12-09T01:30+08:00")
    assert ScheduledRun.objects.get(job="suitability.daily_expire").state == "done"
    assert RiskAssessment.objects.get(profile=old).expired
    assert Subscription.objects.get(pk=sub.pk).callback_due
    call_command("core_schedule_run", "--job", "suitability.daily_expire", "--now", "2026-12-09T03:00+08:00")
    assert ScheduledRun.objects.filter(job="suitability.daily_expire").count() == 1  # one run per day
