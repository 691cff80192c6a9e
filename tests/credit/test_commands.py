from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from tests._fixtures.credit_world import active_line, rated_customer

from kehu.credit import services
from kehu.credit.models import CreditLine


def test_expire_and_reconcile_commands(cworld, capsys, tmp_path):
    c = rated_customer(cworld)
    line = active_line(cworld, c, "1000.00")
    services.use_reserve(actor=cworld.bj_cm, line_id=line.pk, product="loan", amount="10.00")
    call_command("credit_reconcile")
    call_command("credit_expire", "--today", str(line.valid_to + timedelta(days=1)))
    assert "lines expired: 1" in capsys.readouterr().out
    assert CreditLine.objects.get(pk=line.pk).status == "expired"
    with pytest.raises(CommandError):
        call_command("credit_expire", "--today", "tomorrow")
    CreditLine.objects.filter(pk=line.pk).update(reserved_amount=5)  # a counter out of step with its uses
    with pytest.raises(CommandError):
        call_command("credit_reconcile")


def test_exposure_month_command(cworld, capsys, tmp_path):
    c = rated_customer(cworld)
    active_line(cworld, c, "100000000.00")
    call_command("exposure_month", "2026-10", "--org-code", "B1", "--preparer", "p", "--phone", "1",
                 "--reviewer", "r", "--out", str(tmp_path))
    out = capsys.readouterr().out
    assert "1 rows, 0 problem(s)" in out
    assert (tmp_path / "large-credit-2026-10.xml").exists() and (tmp_path / "large-credit-2026-10.xlsx").exists()
    with pytest.raises(CommandError):
        call_command("exposure_month", "2026-13")
