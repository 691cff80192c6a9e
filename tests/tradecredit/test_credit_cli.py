"""``kehu trade recalc``: in process against the test database, and as the real console script."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from tests.test_cli import kehu, ok
from tests.tradecredit.credit_world import give_sales, grade, set_limit

from kehu.tradecredit.models import CreditAccount, LimitChange


def test_recalc_command_reports_what_it_did(cw):
    a, b = cw.admit(cw.enterprise()), cw.admit(cw.enterprise())
    give_sales(a, [100000] * 12)
    give_sales(b, [10000] * 12)
    grade(a, "A"), grade(b, "C")
    set_limit(b, "50000.00")
    out = StringIO()
    call_command("trade_recalc", "--period", "2026-10", "--chunk-size", "1", stdout=out)
    assert out.getvalue().strip() == ("2026-10: 2 graded customers, 1 limits decreased, 1 increases waiting for "
                                      "approval, 0 earlier requests superseded")
    assert CreditAccount.objects.get(customer=b).limit_amount == 6000
    assert LimitChange.objects.get(account__customer=a).status == "pending"
    with pytest.raises(CommandError):
        call_command("trade_recalc", "--period", "2026-13")


def test_the_console_script_runs_the_recalculation(kehu_home):
    result = ok(kehu(kehu_home, "trade", "recalc", "--period", "2026-10"))
    assert "2026-10: 0 graded customers" in result.stdout
    bad = kehu(kehu_home, "trade", "recalc", "--period", "October")
    assert bad.returncode != 0 and "2026-10" in bad.stderr
