"""The month-end freeze is set-based SQL (services.customer_positions_sql, group_positions_sql); the Python rule
(rules.report_line over each customer's lines, the five-category split, the previous month's line) stays the
reference. Random months of varied data are frozen by the SQL and every frozen row is compared with what the
reference computes from the same tables, on whichever database the suite runs on (SQLite or PostgreSQL)."""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db.models import Sum
from django.utils import timezone

from kehu.core.models import OrgUnit
from kehu.credit import rules as credit_rules
from kehu.credit.models import CreditLine, CreditUse, SubLimit
from kehu.customers.generators import make_uscc
from kehu.customers.models import Customer, CustomerGroup, GroupMembership
from kehu.exposure import rules, services
from kehu.exposure.models import FrozenPosition, StatFreeze

ZERO = Decimal("0.00")
CENT = Decimal("0.01")
PRODUCTS = ["loan", "trade_finance", "discount", "acceptance", "letter_of_credit", "letter_of_guarantee", "other"]
CLASSES = ["normal", "special_mention", "substandard", "doubtful", "loss"]
STATUSES = ["in_approval", "active", "frozen", "expired", "renewal_pending", "rejected", "closed", "exited"]


# ------------------------------------------------------------------ the Python reference (the freeze before P8)


def _cents(value) -> Decimal:
    return Decimal(value).quantize(CENT)


def reference_positions(prev: dict[int, Decimal]) -> dict[tuple, dict]:
    """Every row a freeze writes, computed in Python with ``rules.report_line`` (the freeze's code before it
    moved to SQL), keyed by (customer, group, product)."""
    out: dict[tuple, dict] = {}
    use_rows = (CreditUse.objects.filter(outstanding_amount__gt=0).values("customer_id", "product", "classification")
                .annotate(o=Sum("outstanding_amount"), e=Sum("exposure_amount")).order_by())
    per_product: dict[int, dict[str, list]] = defaultdict(dict)
    for r in use_rows:
        slot = per_product[r["customer_id"]].setdefault(r["product"], [ZERO, ZERO, {}])
        slot[0] += r["o"]
        slot[1] += r["e"]
        slot[2][r["classification"]] = str(_cents(Decimal(slot[2].get(r["classification"], "0")) + r["o"]))
    sub_amounts = {(r["line__customer_id"], r["product"]): r["a"] for r in SubLimit.objects.filter(
        line__kind="customer", line__status__in=["active", "frozen", "renewal_pending"])
        .values("line__customer_id", "product").annotate(a=Sum("limit_amount")).order_by()}
    facts: dict[int, list] = defaultdict(list)
    for line in (CreditLine.objects.filter(kind="customer", status__in=services.LINE_STATUSES_FROZEN)
                 .values("customer_id", "line_type", "status", "line_amount", "outstanding_amount", "pk")):
        facts[line["customer_id"]].append(line)
    non_exposure_by_line = {
        r["line_id"]: r["o"] - r["e"] for r in CreditUse.objects.filter(outstanding_amount__gt=0)
        .values("line_id").annotate(o=Sum("outstanding_amount"), e=Sum("exposure_amount")).order_by()}
    org = dict(Customer.objects.values_list("pk", "org_path"))
    for cid in set(facts) | set(per_product):
        line_facts = [rules.LineFact(f["line_type"], f["status"], f["line_amount"], f["outstanding_amount"],
                                     non_exposure_by_line.get(f["pk"], ZERO)) for f in facts.get(cid, [])]
        decided = rules.report_line(line_facts, prev_line_amount=prev.get(cid))
        products = per_product.get(cid, {})
        total_o = sum((v[0] for v in products.values()), ZERO)
        total_e = sum((v[1] for v in products.values()), ZERO)
        classification: dict[str, str] = {}
        for v in products.values():
            for k, amt in v[2].items():
                classification[k] = str(_cents(Decimal(classification.get(k, "0")) + Decimal(amt)))
        out[(cid, None, "")] = {
            "org_path": org[cid], "on_balance": None,
            "line_amount": sum((f.line_amount for f in line_facts if f.status in rules.IN_FORCE), ZERO),
            "outstanding_amount": total_o, "exposure_amount": total_e, "non_exposure_amount": total_o - total_e,
            "classification": classification, "report_line_amount": decided[0] if decided else None,
            "report_basis": decided[1] if decided else "not_reported",
            "carried_forward": bool(decided and decided[2])}
        for product, (o, e, cls) in products.items():
            out[(cid, None, product)] = {
                "org_path": org[cid], "on_balance": not credit_rules.is_off_balance(product),
                "line_amount": sub_amounts.get((cid, product), ZERO), "outstanding_amount": o, "exposure_amount": e,
                "non_exposure_amount": o - e, "classification": cls, "report_line_amount": None, "report_basis": "",
                "carried_forward": False}
    members = defaultdict(list)
    for m in GroupMembership.objects.values("group_id", "customer_id"):
        members[m["group_id"]].append(m["customer_id"])
    totals = {r["customer_id"]: (r["o"], r["e"]) for r in CreditUse.objects.filter(outstanding_amount__gt=0)
              .values("customer_id").annotate(o=Sum("outstanding_amount"), e=Sum("exposure_amount")).order_by()}
    group_lines = {r["group_id"]: r["a"] for r in CreditLine.objects.filter(
        kind="group", status__in=["active", "frozen", "renewal_pending"]).values("group_id")
        .annotate(a=Sum("line_amount")).order_by()}
    groups = dict(CustomerGroup.objects.values_list("pk", "org_path"))
    for gid in set(members) | set(group_lines):
        o = sum((totals.get(c, (ZERO, ZERO))[0] for c in members.get(gid, [])), ZERO)
        e = sum((totals.get(c, (ZERO, ZERO))[1] for c in members.get(gid, [])), ZERO)
        if o == 0 and gid not in group_lines:
            continue
        out[(None, gid, "")] = {
            "org_path": groups[gid], "on_balance": None, "line_amount": group_lines.get(gid, ZERO),
            "outstanding_amount": o, "exposure_amount": e, "non_exposure_amount": o - e, "classification": {},
            "report_line_amount": None, "report_basis": "", "carried_forward": False}
    return out


def frozen_rows(freeze: StatFreeze) -> dict[tuple, dict]:
    rows: dict[tuple, dict] = {}
    for r in FrozenPosition.objects.filter(freeze=freeze).values():
        key = (r.pop("customer_id"), r.pop("group_id"), r.pop("product"))
        assert key not in rows, key
        for name in ("id", "freeze_id"):
            r.pop(name)
        rows[key] = r
    return rows


def assert_matches_reference(freeze: StatFreeze, prev: dict[int, Decimal]) -> None:
    expected, actual = reference_positions(prev), frozen_rows(freeze)
    assert set(actual) == set(expected)
    for key, want in expected.items():
        got = actual[key]
        for name, value in want.items():
            # Decimals compare by value (2.5 == 2.50); the JSON amounts are strings and must match exactly
            assert got[name] == value and type(got[name]) is type(value), (key, name, got[name], value)
    assert freeze.customers == sum(1 for cid, gid, product in expected if cid is not None and product == "")


# ------------------------------------------------------------------ random months


def _amount(rng: random.Random, top: int = 10**9) -> Decimal:
    kind = rng.random()
    if kind < 0.08:
        return ZERO
    if kind < 0.15:
        return Decimal(rng.randint(1, 99)) / 100  # cents only
    if kind < 0.2:
        return Decimal(rng.randint(10**10, 10**12)) / 100 + Decimal("0.05")  # very large lines
    return Decimal(rng.randint(100, top * 100)) / 100


def _random_world(rng: random.Random, n: int = 70) -> dict:
    units = list(OrgUnit.objects.all())
    today = timezone.localdate()
    customers = Customer.objects.bulk_create([
        Customer(kind="enterprise", name=f"随机客户{rng.random()}", uscc=make_uscc(rng), org_unit=unit,
                 org_path=unit.path, admission_status="active")
        for unit in (rng.choice(units) for _ in range(n))])
    groups = [CustomerGroup.objects.create(code=f"G{rng.randint(0, 10**9)}-{i}", name=f"集团{i}",
                                           org_unit=u, org_path=u.path)
              for i, u in enumerate(rng.choice(units) for _ in range(6))]
    for c in customers:
        if rng.random() < 0.3:
            GroupMembership.objects.create(group=rng.choice(groups[:5]), customer=c, relation="subsidiary")
    for g in groups[1:5]:  # group lines of every status; group 0 has members only, group 5 nothing at all
        for _ in range(rng.randint(0, 2)):
            amount = _amount(rng)
            CreditLine.objects.create(kind="group", group=g, org_path=g.org_path, line_type="comprehensive",
                                      status=rng.choice(STATUSES), line_amount=amount, requested_amount=amount,
                                      valid_from=today - timedelta(days=30), valid_to=today + timedelta(days=30))
    for c in customers:
        if rng.random() < 0.1:
            continue  # a customer with no line and no use is not frozen at all
        lines = []
        for _ in range(rng.randint(1, 4)):
            amount = _amount(rng)
            status = rng.choice(STATUSES)
            owed = (amount * Decimal(rng.randint(0, 100)) / 100).quantize(CENT) if status == "expired" \
                and rng.random() < 0.6 else ZERO
            line = CreditLine.objects.create(
                kind="customer", customer=c, org_path=c.org_path, line_type=rng.choice(["comprehensive", "specific"]),
                status=status, currency=rng.choice(["CNY", "CNY", "USD", "HKD"]), line_amount=amount,
                requested_amount=amount, outstanding_amount=owed, valid_from=today - timedelta(days=30),
                valid_to=today + timedelta(days=30))
            for product in rng.sample(PRODUCTS, rng.randint(0, 3)):
                SubLimit.objects.create(line=line, product=product, limit_amount=_amount(rng))
            lines.append(line)
        for _ in range(rng.randint(0, 6)):
            line = rng.choice(lines)
            outstanding = ZERO if rng.random() < 0.25 else _amount(rng, 10**7)  # settled or repaid uses too
            margin = (outstanding * Decimal(rng.choice([0, 0, 10, 30, 100])) / 100).quantize(CENT)
            collateral = ((outstanding - margin) * Decimal(rng.choice([0, 0, 20])) / 100).quantize(CENT)
            currency = rng.choice(["CNY", "CNY", "USD"])
            CreditUse.objects.create(
                line=line, customer=c, product=rng.choice(PRODUCTS), original_amount=outstanding,
                original_currency=currency, fx_rate=Decimal("1") if currency == "CNY" else Decimal("7.12345678"),
                amount=outstanding, outstanding_amount=outstanding, margin_amount=margin,
                low_risk_collateral_amount=collateral, exposure_amount=outstanding - margin - collateral,
                classification=rng.choice(CLASSES),
                status="settled" if outstanding == 0 and rng.random() < 0.5 else "posted",
                reserved_until=timezone.now())
    return {"customers": customers, "groups": groups}


def _next_month(rng: random.Random, world: dict) -> None:
    """Between two freezes: comprehensive lines mature into renewal pending (R-3), some exit, new customers."""
    lines = list(CreditLine.objects.filter(kind="customer"))
    for line in rng.sample(lines, len(lines) // 3):
        line.status = rng.choice(["renewal_pending", "renewal_pending", "exited", "expired", "active"])
        line.save(update_fields=["status"])
    CreditUse.objects.filter(pk__in=[u.pk for u in CreditUse.objects.all() if rng.random() < 0.1]).update(
        outstanding_amount=0, exposure_amount=0, margin_amount=0, low_risk_collateral_amount=0, status="settled")
    _random_world(rng, n=10)
    # a customer new this month whose line already waits for its renewal: no previous line to carry
    newcomer = Customer.objects.order_by("-pk").first()
    CreditLine.objects.filter(pk=CreditLine.objects.filter(customer=newcomer).order_by("pk").values("pk")[:1]) \
        .update(line_type="comprehensive", status="renewal_pending")
    CreditLine.objects.filter(customer=newcomer, line_type="comprehensive", status__in=["active", "frozen"]) \
        .update(status="closed")


def _period(offset: int) -> str:
    today = timezone.localdate()
    month = today.month - 1 + offset
    return f"{today.year + month // 12:04d}-{month % 12 + 1:02d}"


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_sql_freeze_matches_the_python_rule(cworld, seed):
    rng = random.Random(seed)
    world = _random_world(rng)
    # the first month has no previous freeze; small chunks cross many chunk boundaries
    first = services.month_freeze(actor=cworld.hq_risk, period=_period(-1), chunk_size=rng.choice([1, 7, 13]))
    assert_matches_reference(first, {})
    _next_month(rng, world)
    prev = dict(FrozenPosition.objects.filter(freeze=first, product="", customer__isnull=False,
                                              report_line_amount__isnull=False)
                .values_list("customer_id", "report_line_amount"))
    second = services.month_freeze(actor=cworld.hq_risk, period=_period(0))
    assert_matches_reference(second, prev)
    bases = set(FrozenPosition.objects.filter(freeze=second, product="", customer__isnull=False)
                .values_list("report_basis", flat=True))
    # the random months reach every branch of the rule
    assert bases == {"mcl", "carried_forward", "aggregated", "matured", "not_reported"}, bases
    carried = FrozenPosition.objects.filter(freeze=second, report_basis="carried_forward")
    assert carried.filter(customer_id__in=list(prev)).exists()
    assert carried.exclude(customer_id__in=list(prev)).exists()


def test_an_empty_month_freezes_nothing(cworld):
    freeze = services.month_freeze(actor=cworld.hq_risk, period=_period(0))
    assert freeze.customers == 0 and not FrozenPosition.objects.filter(freeze=freeze).exists()


def test_a_freeze_that_fails_half_way_leaves_nothing_and_runs_again(cworld, monkeypatch):
    """The chunks run in the freeze's one transaction: a freeze killed after some chunks leaves no StatFreeze
    and no positions (the month is not frozen), and running it again freezes the month whole."""
    _random_world(random.Random(4), n=30)
    real, calls = services.customer_positions_sql, []

    def dies_on_the_third_chunk(*args, **kw):
        calls.append(args)
        if len(calls) == 3:
            raise KeyboardInterrupt  # the worker is killed mid-freeze
        return real(*args, **kw)

    monkeypatch.setattr(services, "customer_positions_sql", dies_on_the_third_chunk)
    with pytest.raises(KeyboardInterrupt):
        services.month_freeze(actor=cworld.hq_risk, period=_period(0), chunk_size=5)
    assert not StatFreeze.objects.exists() and not FrozenPosition.objects.exists()
    monkeypatch.setattr(services, "customer_positions_sql", real)
    assert_matches_reference(services.month_freeze(actor=cworld.hq_risk, period=_period(0), chunk_size=5), {})
