"""The exposure guard on the real database: reserve, post, release, repay, expire, refusals, audit."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from tests._fixtures.credit_world import active_line, rated_customer

from kehu.core.errors import InvalidInput, InvalidTransition, NotFound, PermissionDenied
from kehu.core.models import AuditEvent
from kehu.credit import services
from kehu.credit.errors import CreditRefused, IdempotencyMismatch
from kehu.credit.events import CreditEvent
from kehu.credit.models import CreditLine, CreditUse, IdempotencyRecord, LineMovement, SubLimit
from kehu.customers import services as customer_services
from kehu.customers.errors import CustomerNotTradable

D = Decimal


def _line(pk):
    return CreditLine.objects.get(pk=pk)


def _audit(code):
    return AuditEvent.objects.filter(event_code=code)


def test_reserve_post_release_repay_moves_every_counter(cworld):
    c = rated_customer(cworld)
    line = active_line(cworld, c, "1000.00", sub_limits={"loan": "600.00", "acceptance": "800.00"})
    use = services.use_reserve(actor=cworld.bj_cm, line_id=line.pk, product="loan", amount="500.00")
    assert _audit(CreditEvent.USE_RESERVED).filter(object_id=str(use.pk)).exists()
    line.refresh_from_db()
    assert (line.reserved_amount, line.outstanding_amount) == (D("500.00"), D("0.00"))
    use = services.use_post(actor=cworld.bj_cm, use_id=use.pk, amount="300.00")
    assert (use.reserved_amount, use.outstanding_amount, use.status) == (D("200.00"), D("300.00"), "posted")
    assert _audit(CreditEvent.USE_POSTED).filter(object_id=str(use.pk)).exists()
    use = services.use_release(actor=cworld.bj_cm, use_id=use.pk)
    assert use.reserved_amount == 0
    assert _audit(CreditEvent.USE_RELEASED).filter(object_id=str(use.pk)).exists()
    sub = SubLimit.objects.get(line=line, product="loan")
    assert (sub.outstanding_amount, sub.reserved_amount) == (D("300.00"), D("0.00"))
    line.refresh_from_db()
    assert (line.outstanding_amount, line.reserved_amount, line.exposure_amount) == (D("300.00"), 0, D("300.00"))
    use = services.use_repay(actor=cworld.bj_cm, use_id=use.pk, amount="300.00")
    assert use.status == "settled"
    assert _audit(CreditEvent.USE_REPAID).filter(object_id=str(use.pk)).exists()
    line.refresh_from_db()
    assert line.outstanding_amount == 0 and line.exposure_amount == 0
    kinds = list(LineMovement.objects.filter(line=line).order_by("id").values_list("kind", flat=True))
    assert kinds == ["reserve", "post", "release", "repay"]


def test_refuses_over_line_and_sub_limit_with_reason_in_history(cworld):
    c = rated_customer(cworld)
    line = active_line(cworld, c, "1000.00", sub_limits={"loan": "600.00", "acceptance": "800.00"})
    with pytest.raises(CreditRefused) as err:
        services.use_reserve(actor=cworld.bj_cm, line_id=line.pk, product="loan", amount="600.01")
    assert err.value.code == "exceeds_sub_limit"
    services.use_reserve(actor=cworld.bj_cm, line_id=line.pk, product="acceptance", amount="800.00")
    with pytest.raises(CreditRefused) as err:
        services.use_reserve(actor=cworld.bj_cm, line_id=line.pk, product="loan", amount="200.01")
    assert err.value.code == "exceeds_line"
    assert "available 200.00" in str(err.value)
    with pytest.raises(CreditRefused) as err:
        services.use_reserve(actor=cworld.bj_cm, line_id=line.pk, product="discount", amount="1.00")
    assert err.value.code == "no_sub_limit"
    refused = LineMovement.objects.filter(line=line, kind="refused").order_by("id")
    assert [m.reason_code for m in refused] == ["exceeds_sub_limit", "exceeds_line", "no_sub_limit"]
    assert _audit(CreditEvent.USE_REFUSED).count() == 3
    services.use_reserve(actor=cworld.bj_cm, line_id=line.pk, product="loan", amount="200.00")
    assert _line(line.pk).reserved_amount == D("1000.00")


def test_on_and_off_balance_count_together_and_net_exposure(cworld):
    c = rated_customer(cworld)
    line = active_line(cworld, c, "1000.00")
    a = services.use_reserve(actor=cworld.bj_cm, line_id=line.pk, product="acceptance", amount="700.00",
                             margin_amount="300.00", low_risk_collateral_amount="100.00")
    services.use_post(actor=cworld.bj_cm, use_id=a.pk)
    with pytest.raises(CreditRefused):
        services.use_reserve(actor=cworld.bj_cm, line_id=line.pk, product="loan", amount="300.01")
    line.refresh_from_db()
    assert line.exposure_amount == D("300.00")  # 700 - 300 margin - 100 collateral
    services.use_set_collateral(actor=cworld.bj_cm, use_id=a.pk, margin_amount="700.00",
                                low_risk_collateral_amount="0")
    line.refresh_from_db()
    assert line.exposure_amount == 0 and line.outstanding_amount == D("700.00")
    assert _audit(CreditEvent.USE_COLLATERAL_SET).count() == 1


def test_frozen_expired_and_not_tradable_refuse_new_use(cworld):
    c = rated_customer(cworld)
    line = active_line(cworld, c, "1000.00")
    services.line_freeze(actor=cworld.hq_risk, line_id=line.pk, reason="风险预警")
    assert _audit(CreditEvent.LINE_FROZEN).count() == 1
    with pytest.raises(CreditRefused) as err:
        services.use_reserve(actor=cworld.bj_cm, line_id=line.pk, product="loan", amount="1.00")
    assert err.value.code == "line_not_active"
    services.line_unfreeze(actor=cworld.hq_risk, line_id=line.pk, reason="解除")
    use = services.use_reserve(actor=cworld.bj_cm, line_id=line.pk, product="loan", amount="1.00")
    customer_services.customer_terminate(actor=cworld.bj_office, customer_id=c.pk, reason="false_information",
                                         note="不诚信")
    c.refresh_from_db()
    assert c.admission_status == "terminated"
    with pytest.raises(CustomerNotTradable):
        services.use_reserve(actor=cworld.bj_cm, line_id=line.pk, product="loan", amount="1.00")
    with pytest.raises(CustomerNotTradable):
        services.use_post(actor=cworld.bj_cm, use_id=use.pk)
    with pytest.raises(CustomerNotTradable):
        services.line_unfreeze(actor=cworld.hq_risk, line_id=services.line_freeze(
            actor=cworld.hq_risk, line_id=line.pk, reason="x").pk)
    services.use_release(actor=cworld.bj_cm, use_id=use.pk)  # reducing exposure is always allowed
    assert _line(line.pk).reserved_amount == 0


def test_line_expiry_and_reservation_expiry(cworld):
    c = rated_customer(cworld)
    line = active_line(cworld, c, "1000.00")
    use = services.use_reserve(actor=cworld.bj_cm, line_id=line.pk, product="loan", amount="400.00")
    assert services.use_expire_due(now=timezone.now()) == 0
    assert services.use_expire_due(now=timezone.now() + timedelta(hours=73)) == 1
    use.refresh_from_db()
    assert use.reserved_amount == 0 and use.status == "settled"
    assert _line(line.pk).reserved_amount == 0
    assert _audit(CreditEvent.USE_EXPIRED).count() == 1
    counts = services.line_expire_due(today=line.valid_to + timedelta(days=1))
    assert counts["expired"] == 1
    assert _line(line.pk).status == "expired"
    with pytest.raises(CreditRefused):
        services.use_reserve(actor=cworld.bj_cm, line_id=line.pk, product="loan", amount="1.00")


def test_temporary_line_counts_while_in_force_and_shrinks_after(cworld):
    c = rated_customer(cworld)
    today = timezone.localdate()
    line = active_line(cworld, c, "1000.00", temp_amount="500.00", temp_valid_to=today + timedelta(days=30))
    use = services.use_reserve(actor=cworld.bj_cm, line_id=line.pk, product="loan", amount="1400.00")
    services.use_post(actor=cworld.bj_cm, use_id=use.pk)
    with pytest.raises(CreditRefused):
        services.use_reserve(actor=cworld.bj_cm, line_id=line.pk, product="loan", amount="100.01")
    CreditLine.objects.filter(pk=line.pk).update(temp_valid_to=today - timedelta(days=1))  # time passes
    with pytest.raises(CreditRefused):  # a lapsed temporary line takes no new use
        services.use_reserve(actor=cworld.bj_cm, line_id=line.pk, product="loan", amount="0.01")
    services.line_expire_due(today=today)
    assert _line(line.pk).temp_amount == D("400.00")
    services.use_repay(actor=cworld.bj_cm, use_id=use.pk, amount="300.00")
    assert _line(line.pk).temp_amount == D("100.00")
    assert _audit(CreditEvent.TEMP_LINE_LAPSED).count() == 1


def test_idempotent_retry_has_one_effect_and_reused_key_is_refused(cworld):
    c = rated_customer(cworld)
    line = active_line(cworld, c, "1000.00")
    a = services.use_reserve(actor=cworld.bj_cm, line_id=line.pk, product="loan", amount="100.00",
                             idempotency_key="k-1")
    b = services.use_reserve(actor=cworld.bj_cm, line_id=line.pk, product="loan", amount="100.00",
                             idempotency_key="k-1")
    assert a.pk == b.pk
    assert _line(line.pk).reserved_amount == D("100.00")
    with pytest.raises(IdempotencyMismatch):
        services.use_reserve(actor=cworld.bj_cm, line_id=line.pk, product="loan", amount="200.00",
                             idempotency_key="k-1")
    services.use_post(actor=cworld.bj_cm, use_id=a.pk, amount="50.00", idempotency_key="p-1")
    services.use_post(actor=cworld.bj_cm, use_id=a.pk, amount="50.00", idempotency_key="p-1")
    assert _line(line.pk).outstanding_amount == D("50.00")
    assert IdempotencyRecord.objects.count() == 1  # the reservation's key is on its use
    assert CreditUse.objects.count() == 1


def test_scope_and_permissions(cworld):
    c = rated_customer(cworld)
    line = active_line(cworld, c, "1000.00")
    with pytest.raises(NotFound):
        services.use_reserve(actor=cworld.sh_cm, line_id=line.pk, product="loan", amount="1.00")
    with pytest.raises(PermissionDenied):
        services.use_reserve(actor=cworld.bj_auditor, line_id=line.pk, product="loan", amount="1.00")
    with pytest.raises(NotFound):  # no credit permission at all: the line does not exist for them (defect 13)
        services.use_reserve(actor=cworld.admin, line_id=line.pk, product="loan", amount="1.00")
    with pytest.raises(InvalidInput):
        services.use_reserve(actor=cworld.bj_cm, line_id=line.pk, product="loan", amount="0")
    with pytest.raises(InvalidInput):
        services.use_reserve(actor=cworld.bj_cm, line_id=line.pk, product="loan", amount=1.5)
    with pytest.raises(InvalidInput):
        services.use_reserve(actor=cworld.bj_cm, line_id=line.pk, product="mortgage", amount="1")
    with pytest.raises(InvalidTransition):
        services.line_unfreeze(actor=cworld.hq_risk, line_id=line.pk)
    assert _line(line.pk).reserved_amount == 0


def test_foreign_currency_use_converts_to_line_currency(cworld):
    c = rated_customer(cworld)
    line = active_line(cworld, c, "1000.00")
    with pytest.raises(InvalidInput):
        services.use_reserve(actor=cworld.bj_cm, line_id=line.pk, product="letter_of_credit", amount="100.00",
                             currency="USD")
    use = services.use_reserve(actor=cworld.bj_cm, line_id=line.pk, product="letter_of_credit", amount="100.00",
                               currency="USD", fx_rate="7.12345")
    assert use.amount == D("712.35") and use.original_currency == "USD"
    with pytest.raises(CreditRefused):
        services.use_reserve(actor=cworld.bj_cm, line_id=line.pk, product="letter_of_credit", amount="41.00",
                             currency="USD", fx_rate="7.12345")
