"""The customer's yearly financial statements (S9 Ch.5 §1: graded on the operating and financial status)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from kehu.core.audit import audit_record
from kehu.core.errors import InvalidInput
from kehu.core.models import User
from kehu.customers.selectors import customer_get
from kehu.grading.events import GradingEvent
from kehu.grading.models import FinancialStatement
from kehu.grading.permissions import GradingPerm


def _number(value: Any, field: str, *, places: str, maximum: Decimal) -> Decimal:
    try:
        out = Decimal(str(value).strip().replace(",", ""))
    except (InvalidOperation, ValueError):
        raise InvalidInput(_("Give a number."), field=field) from None
    if not out.is_finite() or out < 0 or out > maximum:
        raise InvalidInput(_("Give a number from 0 to %(max)s.") % {"max": maximum}, field=field)
    return out.quantize(Decimal(places))


@transaction.atomic
def statement_record(*, actor: User | None, customer_id: Any, year: Any, current_ratio: Any, debt_ratio: Any,
                     overdue_to_others: Any) -> FinancialStatement:
    """Enter (or correct) the customer's statement of ``year``: current ratio, debt ratio (liabilities ÷ assets,
    a ratio, not a percentage) and the amount overdue to other creditors (CNY). Audited with the old figures."""
    try:
        cid = int(customer_id)
    except (TypeError, ValueError):
        raise InvalidInput(_("Unknown customer."), field="customer_id") from None
    customer = customer_get(user=actor, customer_id=cid, perm=GradingPerm.RECORD_STATEMENT, lock=True)
    try:
        year = int(year)
    except (TypeError, ValueError):
        raise InvalidInput(_("Give the year of the statement."), field="year") from None
    if not 1990 <= year <= 2100:
        raise InvalidInput(_("Give the year of the statement."), field="year")
    figures = {"current_ratio": _number(current_ratio, "current_ratio", places="0.0001", maximum=Decimal(1000)),
               "debt_ratio": _number(debt_ratio, "debt_ratio", places="0.0001", maximum=Decimal(100)),
               "overdue_to_others": _number(overdue_to_others, "overdue_to_others", places="0.01",
                                            maximum=Decimal("1e15"))}
    row = FinancialStatement.objects.select_for_update().filter(customer=customer, year=year).first()
    old = None
    if row is None:
        row = FinancialStatement(customer=customer, year=year)
    else:
        old = {k: str(getattr(row, k)) for k in figures}
    for k, v in figures.items():
        setattr(row, k, v)
    row.recorded_by = actor if actor is not None and actor.pk else None
    row.save()
    audit_record(actor=actor, event_code=GradingEvent.STATEMENT_RECORDED, object_type="financial_statement",
                 object_id=row.pk, customer_id=customer.pk, old=old,
                 new={"year": year, **{k: str(v) for k, v in figures.items()}})
    return row


def statements_of(*, actor: User | None, customer_id: int) -> list[FinancialStatement]:
    customer = customer_get(user=actor, customer_id=customer_id, perm=GradingPerm.VIEW)
    return list(FinancialStatement.objects.filter(customer=customer).order_by("-year"))
