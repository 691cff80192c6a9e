"""A real ``kehu accounts ingest`` killed with SIGKILL in the middle of each stage, then run again: the same
counters, breaches and tasks as an uninterrupted run, nothing doubled."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from datetime import date

import pytest
from tests.conftest import cli_env

from kehu.accounts.models import AccountTransaction, IngestRun
from kehu.core.models import RuleParameter

from .test_ingest import make_accounts, make_rows, reset, snapshot, write


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("stage", ["parse", "insert", "triggers"])
def test_sigkill_then_rerun_gives_the_uninterrupted_result(tmp_path, stage):
    from tests.conftest import build_world

    world = build_world()
    nos = make_accounts(world, people=3)
    RuleParameter.objects.create(code="acct.class3_kyc_trigger_cumulative", value="8000.00",
                                 effective_from=date(2020, 1, 1), status=RuleParameter.Status.APPROVED)
    path = write(tmp_path / "t.csv", make_rows(nos, 300, seed=17))
    env = cli_env()
    cmd = [sys.executable, "-m", "kehu.cli", "accounts", "ingest", str(path)]

    done = subprocess.run(cmd, env=env, capture_output=True, timeout=120)
    assert done.returncode == 0, done.stderr.decode()
    expected = snapshot()
    assert expected["breaches"] and expected["tasks"]
    reset()
    IngestRun.objects.all().delete()

    proc = subprocess.Popen([*cmd, "--stage-pause", "3"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    seen = ""
    while time.monotonic() < deadline and f"... {stage}" not in seen:
        seen += proc.stderr.readline().decode()
        assert proc.poll() is None, seen
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    assert proc.returncode == -signal.SIGKILL
    assert AccountTransaction.objects.count() == 0 and not IngestRun.objects.exists()

    again = subprocess.run(cmd, env=env, capture_output=True, timeout=120)
    assert again.returncode == 0, again.stderr.decode()
    assert snapshot() == expected
    # and once more: nothing doubled
    subprocess.run(cmd, env=env, capture_output=True, timeout=120, check=True)
    assert snapshot() == expected
