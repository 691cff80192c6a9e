"""The reservation hot path (issue 17): one read, one conditional UPDATE per counter row, the INSERTs of the
use and its history; idempotency by the unique key on the use; and, by Hypothesis, the money invariant
(outstanding + reserved never above any limit, a reservation accepted exactly when it fits)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests._fixtures.credit_world import active_line, rated_customer

from kehu.core.params import param_scope
from kehu.credit import services
from kehu.credit.errors import CreditRefused, IdempotencyMismatch
from kehu.credit.models import CreditLine, CreditUse, IdempotencyRecord, LineMovement, SubLimit

D = Decimal


def _credit_statements(ctx) -> list[str]:
    return [q["sql"] for q in ctx.captured_queries if "credit_" in q["sql"] and "core_audit" not in q["sql"]]


def test_a_reservation_is_one_read_two_conditional_updates_and_two_inserts(cworld):
    c = rated_customer(cworld)
    line = active_line(cworld, c, "1000.00", sub_limits={"loan": "700.00"})
    services.use_reserve(actor=cworld.bj_cm, line_id=line.pk, product="loan", amount="1.00")
    with param_scope():
        services.use_reserve(actor=cworld.bj_cm, line_id=line.pk, product="loan", amount="1.00")  # params cached
        with CaptureQueriesContext(connection) as ctx:
            use = services.use_reserve(actor=cworld.bj_cm, line_id=line.pk, product="loan", amount="2.00",
                                       idempotency_key="hot-1")
    credit = _credit_statements(ctx)
    kinds = [sql.split()[0].upper() for sql in credit]
    assert kinds == ["SELECT", "UPDATE", "UPDATE", "INSERT", "INSERT"], credit
    assert "core_ruleparameter" not in " ".join(q["sql"] for q in ctx.captured_queries)
    assert not any("credit_idempotencyrecord" in sql for sql in credit)
    line.refresh_from_db()
    assert line.reserved_amount == D("4.00")
    assert SubLimit.objects.get(line=line, product="loan").reserved_amount == D("4.00")
    movement = LineMovement.objects.get(use=use)
    assert (movement.kind, movement.reserved_after, movement.outstanding_after) == ("reserve", D("4.00"), D("0.00"))


def test_a_retry_returns_the_first_use_even_after_the_line_filled_up(cworld):
    c = rated_customer(cworld)
    line = active_line(cworld, c, "100.00")
    first = services.use_reserve(actor=cworld.bj_cm, line_id=line.pk, product="loan", amount="60.00",
                                 idempotency_key="fill-1")
    services.use_reserve(actor=cworld.bj_cm, line_id=line.pk, product="loan", amount="40.00")
    again = services.use_reserve(actor=cworld.bj_cm, line_id=line.pk, product="loan", amount="60.00",
                                 idempotency_key="fill-1")
    assert again.pk == first.pk
    with pytest.raises(IdempotencyMismatch):
        services.use_reserve(actor=cworld.bj_cm, line_id=line.pk, product="loan", amount="61.00",
                             idempotency_key="fill-1")
    assert CreditLine.objects.get(pk=line.pk).reserved_amount == D("100.00")
    assert not LineMovement.objects.filter(line=line, kind="refused").exists()  # a retry is not a refusal
    assert IdempotencyRecord.objects.count() == 0  # the key is on the use


def test_refusals_keep_their_reasons(cworld):
    c = rated_customer(cworld)
    line = active_line(cworld, c, "100.00", sub_limits={"loan": "50.00"})
    with pytest.raises(CreditRefused) as sub:
        services.use_reserve(actor=cworld.bj_cm, line_id=line.pk, product="loan", amount="50.01")
    with pytest.raises(CreditRefused) as missing:
        services.use_reserve(actor=cworld.bj_cm, line_id=line.pk, product="acceptance", amount="1.00")
    assert (sub.value.code, missing.value.code) == ("exceeds_sub_limit", "no_sub_limit")
    assert list(LineMovement.objects.filter(line=line, kind="refused").order_by("pk")
                .values_list("reason_code", flat=True)) == ["exceeds_sub_limit", "no_sub_limit"]
    assert CreditLine.objects.get(pk=line.pk).reserved_amount == 0


@pytest.mark.django_db
def test_accepted_exactly_when_it_fits_and_never_above_a_limit(cworld):
    c = rated_customer(cworld)
    user = cworld.bj_cm

    @given(line_amount=st.integers(1, 5000), sub_amount=st.integers(1, 5000),
           requests=st.lists(st.tuples(st.sampled_from(["loan", "acceptance"]), st.integers(1, 2000)),
                             min_size=1, max_size=12))
    @settings(max_examples=20, deadline=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
    def check(line_amount, sub_amount, requests):
        sub_amount = min(sub_amount, line_amount)
        with transaction.atomic():
            line = active_line(cworld, c, f"{line_amount}.00", sub_limits={"loan": f"{sub_amount}.00"})
            used = {"line": D(0), "loan": D(0)}
            for product, amount in requests:
                fits = (product == "loan" and used["line"] + amount <= line_amount
                        and used["loan"] + amount <= sub_amount)
                try:
                    services.use_reserve(actor=user, line_id=line.pk, product=product, amount=f"{amount}.00")
                    accepted = True
                except CreditRefused:
                    accepted = False
                assert accepted == fits, (product, amount, used, line_amount, sub_amount)
                if accepted:
                    used["line"] += amount
                    used["loan"] += amount
            line.refresh_from_db()
            sub = SubLimit.objects.get(line=line, product="loan")
            uses = CreditUse.objects.filter(line=line)
            assert line.reserved_amount == used["line"] == sum((u.reserved_amount for u in uses), D(0))
            assert line.outstanding_amount + line.reserved_amount <= line.line_amount
            assert sub.reserved_amount == used["loan"] <= sub.limit_amount
            transaction.set_rollback(True)

    check()
