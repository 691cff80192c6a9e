"""A real ``kehu import customers`` killed with SIGKILL mid-file, then run again: each row exactly once."""

from __future__ import annotations

import signal
import subprocess
import sys
import time

import pytest
from tests.bulk.test_import import good_rows, read_errors, write_csv
from tests.conftest import cli_env

from kehu.bulk.models import ImportChunk, ImportJob
from kehu.customers.models import Customer

N = 60


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("workers", ["1", "2"])
def test_sigkill_then_rerun_imports_each_row_once(tmp_path, workers):
    """With and without forked validating workers (which die with the killed parent)."""
    from tests.conftest import build_world

    build_world()
    rows = good_rows(N, seed=21)
    rows.insert(30, ["企业", "坏代码", "91110000000000000X", "", "", ""])
    path = write_csv(tmp_path / "kill.csv", rows)
    env = cli_env()
    cmd = [sys.executable, "-m", "kehu.cli", "manage", "bulk_import_customers", str(path), "--org", "BJ",
           "--as", "bj_cm", "--chunk", "5", "--workers", workers]
    proc = subprocess.Popen([*cmd, "--chunk-pause", "0.3"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if ImportChunk.objects.count() >= 3:
            break
        assert proc.poll() is None, proc.stderr.read().decode()
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    assert proc.returncode == -signal.SIGKILL
    partial = Customer.objects.count()
    assert 0 < partial < N
    assert partial == sum(ImportChunk.objects.values_list("created", flat=True))

    done = subprocess.run(cmd, env=env, capture_output=True, timeout=120)
    assert done.returncode == 0, done.stderr.decode()
    assert Customer.objects.count() == N
    job = ImportJob.objects.get()
    assert (job.status, job.rows_total, job.rows_created, job.rows_rejected) == ("done", N + 1, N, 1)
    errors = read_errors(job.error_file)
    assert len(errors) == 2 and errors[1][1] == "坏代码"
