"""Demo trade facts: a year (the twelve months before the current one) of sales, deliveries, invoices and
payments for every admitted customer of the customers demo, recorded through the facts services by the
branch's customer manager (sales, deliveries) and finance officer (invoices, payments): as history for the
closed months, as current facts for the invoices and payments of the current month up to today.

Each customer follows one payment habit, so that the grading demo that runs next grades the last two
months with a spread of grades: excellent and good payers, average ones, late payers, and a few whose
invoices stay open for months (overdue). Deliveries are partly short or late for the weaker customers.
``load_demo_trade(rng)`` runs once: a second call finds the facts and changes nothing."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from kehu.core import services as core_services
from kehu.core.audit import seal_at_end
from kehu.core.models import OrgUnit, User
from kehu.customers.demo import DEMO_PASSWORD
from kehu.customers.models import Customer
from kehu.customers.rules import TRADABLE
from kehu.trade.models import SalesRecord
from kehu.trade.services import facts

# Branch finance officers who record invoices and payments (sales are recorded by the branch's bj_cm1/hy_cm1).
TRADE_LOGINS = [("bj_finance", "BJ", "finance_officer"), ("hy_finance", "HY", "finance_officer")]
MONTHS = 12
TERM_DAYS = 30  # invoices are due 30 days after issue in the demo


@dataclass(frozen=True)
class Habit:
    """How a demo customer buys, takes delivery and pays."""

    name: str
    weight: int
    sales: tuple[int, int]  # monthly sales in CNY, range
    fulfilment: tuple[float, float]  # share of the quantity due delivered on time
    on_time: float  # share of invoices paid in full by the due date
    late_days: tuple[int, int]  # how late the others are paid
    never: float = 0.0  # share of the late invoices never paid (left open)


HABITS = [
    Habit("excellent", 20, (1_000_000, 1_600_000), (1.0, 1.0), 1.0, (0, 0)),
    Habit("good", 25, (600_000, 900_000), (0.93, 1.0), 0.9, (3, 9)),
    Habit("average", 25, (350_000, 600_000), (0.85, 0.95), 0.75, (11, 19)),
    Habit("late_payer", 18, (300_000, 550_000), (0.8, 0.9), 0.45, (21, 35)),
    Habit("overdue", 12, (100_000, 300_000), (0.55, 0.75), 0.2, (45, 90), never=0.5),
]


def _user(username: str, org: str, role: str) -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        user = core_services.user_create(username=username, org_code=org, roles=[role], password=DEMO_PASSWORD,
                                         actor=None)
    return user


def _month_start(index: int) -> date:
    return date(index // 12, index % 12 + 1, 1)


def _branch(customer: Customer) -> str:
    return "hy" if "HY" in customer.org_unit.code.upper() else "bj"


def load_demo_trade(rng: random.Random) -> dict:
    if not OrgUnit.objects.filter(code="HQ").exists():
        return {"created": False, "reason": "load the customers demo first"}
    if SalesRecord.objects.filter(reference__startswith="XS-").exists():
        return {"created": False}
    # A few thousand audit rows: sealed once, at the end (seal_at_end: the same chain).
    with transaction.atomic(), seal_at_end():
        finance = {org.lower(): _user(name, org, role) for name, org, role in TRADE_LOGINS}
        sales = {b: User.objects.filter(username=f"{b}_cm1").first() for b in ("bj", "hy")}
        customers = list(Customer.objects.filter(admission_status__in=TRADABLE).select_related("org_unit")
                         .order_by("pk"))
        today = timezone.localdate()
        first = today.year * 12 + today.month - 1 - MONTHS
        counts = {"customers": len(customers), "sales": 0, "deliveries": 0, "invoices": 0, "payments": 0}
        by_habit: dict[str, int] = {}
        for customer in customers:
            habit = rng.choices(HABITS, weights=[h.weight for h in HABITS])[0]
            by_habit[habit.name] = by_habit.get(habit.name, 0) + 1
            branch = _branch(customer)
            for k in range(MONTHS):
                month = _month_start(first + k)
                _month(rng, customer, habit, month, today, sales[branch], finance[branch], counts)
    return {"created": True, **counts, "habits": by_habit}


def _month(rng, customer, habit: Habit, month: date, today: date, seller, cashier, counts) -> None:
    tag = f"{customer.pk}-{month:%Y%m}"
    amount = Decimal(rng.randrange(*habit.sales) // 100 * 100)
    facts.sales_record(actor=seller, customer_id=customer.pk, period=month, amount=amount, reference=f"XS-{tag}",
                       history=True, channel="demo")
    counts["sales"] += 1
    # The month's contracted delivery, priced in whole yuan per ton so that shipped values are exact (one a month
    # keeps the demo load short: every fact is a service call with its audit row).
    for n, due_day in enumerate((15,), start=1):
        tons = rng.randrange(80, 400)
        price = max(1, int(amount / tons))
        due_on = month.replace(day=due_day)
        share = rng.uniform(*habit.fulfilment)
        late = share < 0.8 and rng.random() < 0.5  # the weakest deliver late as well as short
        delivered = max(1, min(tons, round(tons * share)))
        delivered_on = due_on + timedelta(days=rng.randrange(3, 12) if late else -rng.randrange(0, 3))
        if delivered_on > today:  # late and not yet here
            delivered_on, delivered = None, 0
        ref = f"JH-{tag}-{n}"
        facts.delivery_record(actor=seller, customer_id=customer.pk, reference=ref, due_on=due_on,
                              quantity_due=tons, amount=Decimal(price * tons), delivered_on=delivered_on,
                              quantity_delivered=delivered, history=True, channel="demo")
        counts["deliveries"] += 1
        if delivered_on is None:
            continue
        issued_on = delivered_on + timedelta(days=1)
        if issued_on > today:
            continue  # not billed yet
        invoice_amount = Decimal(price * delivered)
        invoice = facts.invoice_record(actor=cashier, customer_id=customer.pk, reference=f"FP-{tag}-{n}",
                                       issued_on=issued_on, due_on=issued_on + timedelta(days=TERM_DAYS),
                                       amount=invoice_amount, delivery_references=[ref],
                                       history=issued_on < today.replace(day=1), channel="demo").fact
        counts["invoices"] += 1
        _pay(rng, customer, habit, invoice, today, cashier, counts)


def _pay(rng, customer, habit: Habit, invoice, today: date, cashier, counts) -> None:
    """Pay in full by the due date, or late (partly on time for the late payers), or leave it open."""
    parts: list[tuple[date, Decimal]] = []
    if rng.random() < habit.on_time:
        parts.append((invoice.due_on - timedelta(days=rng.randrange(0, 12)), invoice.amount))
    elif rng.random() < habit.never:
        pass  # stays open: overdue
    else:
        late_on = invoice.due_on + timedelta(days=rng.randrange(habit.late_days[0], habit.late_days[1] + 1))
        if habit.name == "late_payer":
            first = (invoice.amount * Decimal("0.6")).quantize(Decimal("0.01"))
            parts += [(invoice.due_on, first), (late_on, invoice.amount - first)]
        else:
            parts.append((late_on, invoice.amount))
    for n, (paid_on, amount) in enumerate(parts, start=1):
        paid_on = max(paid_on, invoice.issued_on)
        if paid_on > today:
            continue  # not paid yet
        facts.payment_record(actor=cashier, customer_id=customer.pk, reference=f"SK-{invoice.reference[3:]}-{n}",
                             paid_on=paid_on, amount=amount, invoice_id=invoice.pk,
                             history=paid_on < today.replace(day=1), channel="demo")
        counts["payments"] += 1
