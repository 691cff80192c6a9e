"""Real threads against one line: the guard never lets outstanding + reserved pass the line, and 50
identical requests with one idempotency key have exactly one effect. Runs on SQLite and PostgreSQL."""

from __future__ import annotations

import random
from decimal import Decimal

from django.db import connection
from tests._fixtures.credit_world import active_line, rated_customer
from tests.concurrency import run_together

from kehu.core.errors import DomainError
from kehu.credit import services
from kehu.credit.errors import CreditRefused
from kehu.credit.models import CreditLine, CreditUse, IdempotencyRecord, SubLimit
from kehu.customers import services as customer_services

D = Decimal




def invariant_violations() -> int:
    """The invariant checked by SQL over every line and sub-limit, and the counters against the uses."""
    with connection.cursor() as cur:
        cur.execute("SELECT COUNT(*) FROM credit_creditline WHERE outstanding_amount + reserved_amount > "
                    "line_amount + temp_amount OR outstanding_amount < 0 OR reserved_amount < 0")
        bad = cur.fetchone()[0]
        cur.execute("SELECT COUNT(*) FROM credit_sublimit WHERE outstanding_amount + reserved_amount > limit_amount")
        bad += cur.fetchone()[0]
        cur.execute("""SELECT COUNT(*) FROM credit_creditline l WHERE l.kind = 'customer' AND (
            l.outstanding_amount <> (SELECT COALESCE(SUM(u.outstanding_amount), 0) FROM credit_credituse u
                                     WHERE u.line_id = l.id)
            OR l.reserved_amount <> (SELECT COALESCE(SUM(u.reserved_amount), 0) FROM credit_credituse u
                                     WHERE u.line_id = l.id))""")
        bad += cur.fetchone()[0]
        cur.execute("""SELECT COUNT(*) FROM credit_creditline l WHERE l.kind = 'group' AND (
            l.outstanding_amount <> (SELECT COALESCE(SUM(u.outstanding_amount), 0) FROM credit_credituse u
                                     WHERE u.group_line_id = l.id)
            OR l.reserved_amount <> (SELECT COALESCE(SUM(u.reserved_amount), 0) FROM credit_credituse u
                                     WHERE u.group_line_id = l.id))""")
        bad += cur.fetchone()[0]
    return bad


def test_many_threads_drawing_on_one_line_never_exceed_it(ctworld):
    c = rated_customer(ctworld)
    line = active_line(ctworld, c, "1000.00", sub_limits={"loan": "700.00", "acceptance": "1000.00"})
    user = ctworld.bj_cm
    calls = [lambda p=("loan" if i % 2 else "acceptance"): services.use_reserve(
        actor=user, line_id=line.pk, product=p, amount="100.00") for i in range(16)]
    results = run_together(calls)
    ok = [r for r in results if r[0] == "ok"]
    errors = [r[1] for r in results if r[0] == "error"]
    assert all(isinstance(e, CreditRefused) for e in errors), errors
    assert len(ok) == 10
    line.refresh_from_db()
    assert line.reserved_amount == D("1000.00")
    assert invariant_violations() == 0


def test_group_members_racing_on_the_group_line(ctworld):
    a, b = rated_customer(ctworld), rated_customer(ctworld)
    group = customer_services.group_create(actor=ctworld.bj_office, code="G-R", name="竞争集团", org_code="BJ")
    for c in (a, b):
        customer_services.group_add_member(actor=ctworld.bj_office, group_id=group.pk, customer_id=c.pk,
                                           relation="subsidiary")
    gline = services.line_request(actor=ctworld.bj_cm, group_id=group.pk, line_amount="1000.00")
    services.line_approve(actor=ctworld.hq_approver, line_id=gline.pk)
    la, lb = active_line(ctworld, a, "800.00"), active_line(ctworld, b, "800.00")
    user = ctworld.bj_cm
    calls = [lambda lid=(la.pk if i % 2 else lb.pk): services.use_reserve(actor=user, line_id=lid, product="loan",
                                                                        amount="100.00") for i in range(14)]
    results = run_together(calls)
    assert sum(1 for r in results if r[0] == "ok") == 10
    gline.refresh_from_db()
    assert gline.reserved_amount == D("1000.00")
    assert invariant_violations() == 0


def test_mixed_random_operations_race(ctworld):
    c = rated_customer(ctworld)
    line = active_line(ctworld, c, "5000.00", sub_limits={"loan": "3000.00", "letter_of_credit": "4000.00"})
    user, approver, risk = ctworld.bj_cm, ctworld.hq_approver, ctworld.hq_risk
    seeds = list(range(8))
    unexpected: list[Exception] = []

    def worker(seed):
        rng = random.Random(seed)
        done = 0
        for _ in range(15):
            op = rng.choice(["reserve", "reserve", "reserve", "post", "release", "repay", "adjust", "rate"])
            try:
                if op == "reserve":
                    services.use_reserve(actor=user, line_id=line.pk, product=rng.choice(["loan", "letter_of_credit"]),
                                         amount=str(rng.randint(1, 2500)))
                elif op == "rate":
                    services.rating_record(actor=risk, customer_id=c.pk, rating="AA")
                elif op == "adjust":
                    services.line_adjust(actor=approver, line_id=line.pk, line_amount=str(rng.randint(2000, 6000)),
                                         reason="调整")
                else:
                    use = CreditUse.objects.filter(line=line).exclude(status="settled").order_by("?").first()
                    if use is not None:
                        getattr(services, "use_" + op)(actor=user, use_id=use.pk)
                done += 1
            except DomainError:  # refusals and "nothing left to post" are expected outcomes here
                pass
            except Exception as exc:  # a database error (a deadlock, a lock timeout) is a defect
                unexpected.append(exc)
        return done

    results = run_together([lambda s=s: worker(s) for s in seeds])
    assert all(r[0] == "ok" for r in results)
    assert unexpected == []
    assert invariant_violations() == 0
    line.refresh_from_db()
    assert line.outstanding_amount + line.reserved_amount <= line.line_amount
    for sub in SubLimit.objects.filter(line=line):
        assert sub.outstanding_amount + sub.reserved_amount <= sub.limit_amount


def test_fifty_identical_requests_have_one_effect(ctworld):
    c = rated_customer(ctworld)
    line = active_line(ctworld, c, "100000.00")
    user = ctworld.bj_cm
    calls = [lambda: services.use_reserve(actor=user, line_id=line.pk, product="loan", amount="1234.56",
                                          idempotency_key="dup-key-1") for _ in range(50)]
    results = run_together(calls)
    assert all(r[0] == "ok" for r in results), [r for r in results if r[0] != "ok"][:3]
    assert len({r[1].pk for r in results}) == 1
    assert CreditUse.objects.filter(line=line).count() == 1
    assert CreditUse.objects.filter(idempotency_key="dup-key-1").count() == 1  # the unique key on the use
    assert not IdempotencyRecord.objects.filter(key="dup-key-1").exists()
    line.refresh_from_db()
    assert line.reserved_amount == D("1234.56")
    assert CreditLine.objects.get(pk=line.pk).reserved_amount == D("1234.56")
