"""P7 / issue 4: a run killed half-way (SIGKILL of the real command) and run again gives a result table
byte-identical to an uninterrupted run; running a period twice changes nothing."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from datetime import date
from decimal import Decimal

import pytest
from tests.conftest import cli_env

from kehu.core.models import OrgUnit
from kehu.customers.models import Customer
from kehu.grading.models import CustomerEvent, GradeResult, GradingRun
from kehu.grading.services.run import results_digest, run_period
from kehu.trade.models import SalesRecord

P = date(2026, 10, 1)
N = 40


def _make_customers(world) -> None:
    unit = OrgUnit.objects.get(code="BJ")
    Customer.objects.bulk_create([
        Customer(kind="scattered", name=f"散户{i:03d}", org_unit=unit, org_path=unit.path, admission_status="active")
        for i in range(N)])
    ids = list(Customer.objects.filter(kind="scattered").order_by("pk").values_list("pk", flat=True))
    # a month of purchases each (a customer without facts in M-1 is not graded), of varied volume
    SalesRecord.objects.bulk_create([
        SalesRecord(customer_id=c, period=date(2026, 9, 1), amount=Decimal(25000 * (i + 1)), reference=f"S-{c}")
        for i, c in enumerate(ids)])
    # vary the grades: every third sued (capped at C, operating −5), every seventh disqualified (E)
    CustomerEvent.objects.bulk_create(
        [CustomerEvent(customer_id=c, kind="sued_for_unpaid_goods", occurred_on=date(2026, 9, 3)) for c in ids[::3]]
        + [CustomerEvent(customer_id=c, kind="disqualifying", occurred_on=date(2026, 9, 9)) for c in ids[::7]])


@pytest.mark.django_db(transaction=True)
def test_killed_run_resumes_to_byte_identical_results(gworld, policy):
    _make_customers(gworld)
    run_period(actor=None, period=P, chunk_size=3)
    clean = results_digest(P)
    assert GradeResult.objects.filter(period=P).values("grade").distinct().count() >= 2
    # forget the run, as if it had never happened
    GradeResult.objects.filter(period=P).delete()
    GradingRun.objects.filter(period=P).delete()

    env = cli_env()
    proc = subprocess.Popen(
        [sys.executable, "-m", "kehu.cli", "manage", "grading_run", "--period", "2026-10", "--chunk-size", "3",
         "--chunk-pause", "0.25", "--no-progress"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    # generous: on a loaded CI machine the child's start-up alone can take most of a minute
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        if GradeResult.objects.filter(period=P).count() >= N // 3:
            break
        assert proc.poll() is None, proc.stderr.read().decode()
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    assert proc.returncode == -signal.SIGKILL
    run = GradingRun.objects.get(period=P)
    partial = GradeResult.objects.filter(period=P).count()
    assert run.state == "running" and 0 < partial < N, partial

    resumed = run_period(actor=None, period=P, chunk_size=3)
    assert resumed.state == "closed" and resumed.customers_graded == N
    assert results_digest(P) == clean


def test_second_run_of_a_period_changes_nothing(gworld, policy):
    _make_customers(gworld)
    run_period(actor=None, period=P, chunk_size=7)
    digest, count = results_digest(P), GradeResult.objects.count()
    # a resumed (still running) run re-grades its chunks in place without duplicates
    GradingRun.objects.filter(period=P).update(state="running", next_customer_id=0)
    run_period(actor=None, period=P, chunk_size=5)
    assert GradeResult.objects.count() == count
    assert results_digest(P) == digest
