"""Suitability records leave by the retention sweeper (M-13, PI-5): an investor's records are deleted once every
one of them has passed its own keeping period, after a dry-run report and the grace days; an investor with one
record still kept, or under another legal hold, keeps them all."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from kehu.core.audit import verify_chain
from kehu.customers.models import Customer
from kehu.privacy import services as privacy
from kehu.suitability.models import (
    InvestorProfile,
    ProfileEvidence,
    RiskAssessment,
)

from .conftest import Kit


@pytest.fixture(autouse=True)
def own_ledger(tmp_path, monkeypatch):
    monkeypatch.setenv("KEHU_ERASURE_LEDGER", str(tmp_path / "erasures.jsonl"))


def _age(profile: InvestorProfile, *, until) -> None:
    """Every record of the investor kept until ``until`` (as if made twenty years ago)."""
    InvestorProfile.objects.filter(pk=profile.pk).update(retain_until=until)
    ProfileEvidence.objects.filter(profile=profile).update(retain_until=until)
    RiskAssessment.objects.filter(profile=profile).update(retain_until=until)


def _entry(run, code="suitability_record") -> dict:
    return next(c for c in run.classes if c["class"] == code)


def test_records_past_their_period_are_deleted_after_the_report(world):
    kit = Kit(world)
    now = timezone.now()
    today = timezone.localdate(now)
    gone = kit.investor("C3")
    kept = kit.investor("C2")
    _age(gone, until=today - timedelta(days=1))
    _age(kept, until=today - timedelta(days=1))
    RiskAssessment.objects.filter(profile=kept).update(retain_until=today + timedelta(days=30))

    dry = privacy.retention_sweep(dry_run=True, now=now)
    assert _entry(dry)["expired"] == 1 and _entry(dry)["acted"] == 0
    assert InvestorProfile.objects.count() == 2

    early = privacy.retention_sweep(dry_run=False, now=now + timedelta(days=1))
    assert _entry(early)["acted"] == 0, "nothing goes before the grace days after a report"

    run = privacy.retention_sweep(dry_run=False, now=now + timedelta(days=8))
    assert _entry(run)["acted"] == 1
    assert list(InvestorProfile.objects.values_list("pk", flat=True)) == [kept.pk]
    assert not RiskAssessment.objects.filter(profile_id=gone.pk).exists()
    assert not ProfileEvidence.objects.filter(profile_id=gone.pk).exists()
    # The person stays a customer: the archive has its own period.
    assert Customer.objects.filter(pk=gone.customer_id).exists()
    assert list(verify_chain()) == []


def test_another_legal_hold_keeps_the_records(world):
    kit = Kit(world)
    now = timezone.now()
    held = kit.investor("C3")
    _age(held, until=timezone.localdate(now) - timedelta(days=1))
    privacy.hold_place(actor=None, customer_id=held.customer_id, kind="litigation", reason="诉讼保全")
    privacy.retention_sweep(dry_run=True, now=now)
    run = privacy.retention_sweep(dry_run=False, now=now + timedelta(days=8))
    assert _entry(run)["held"] == 1 and _entry(run)["acted"] == 0
    assert InvestorProfile.objects.filter(pk=held.pk).exists()
