"""Bulk import of the trade facts through the bulk app's machinery: the specs ``sales``, ``deliveries``,
``invoices`` and ``payments`` (chunked, resumable ledger, error file; ``kehu import sales FILE`` etc.).

Every row goes through the facts services, so it is validated, scope-checked against the importing user and
audited exactly as a fact recorded on a page. The customer is named by its unified social credit code or its
resident ID number. The mode decides what a reference already on file does: ``create`` leaves an equal row
unchanged and rejects a different one, ``update`` rejects a reference not on file, ``upsert`` corrects.

Rows of closed months (before the current month) are history: they are taken as they were, not re-checked
by the trade credit check and not refused for a customer that no longer trades (see services.facts)."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kehu.bulk.importers import Column, ImportSpec, register_spec
from kehu.core.errors import InvalidInput
from kehu.customers import rules
from kehu.customers.blind_index import id_number_filter
from kehu.customers.models import Customer
from kehu.trade.models import Delivery, Invoice, Payment, SalesOrder, SalesRecord
from kehu.trade.services import facts

CUSTOMER_COLUMNS = [
    Column("uscc", ("统一社会信用代码", "信用代码", "credit code", "uscc"), gettext_lazy("Unified social credit code")),
    Column("id_number", ("身份证号", "身份证号码", "id number", "resident id"), gettext_lazy("Resident ID number")),
]
AMOUNT = Column("amount", ("金额", "amount"), gettext_lazy("Amount"))
CURRENCY = Column("currency", ("币种", "currency"), gettext_lazy("Currency"))

SALES_COLUMNS = [
    *CUSTOMER_COLUMNS,
    Column("reference", ("单据号", "销售单号", "reference"), gettext_lazy("Reference")),
    Column("period", ("月份", "销售月份", "month", "period"), gettext_lazy("Month")),
    Column("amount", ("金额", "销售额", "销售金额", "amount", "sales"), gettext_lazy("Amount")),
    CURRENCY,
]
DELIVERY_COLUMNS = [
    *CUSTOMER_COLUMNS,
    Column("reference", ("交货单号", "发货单号", "单据号", "delivery number", "reference"), gettext_lazy("Delivery number")),
    Column("due_on", ("约定交货日期", "应交日期", "due on", "due date"), gettext_lazy("Due on")),
    Column("quantity_due", ("应交数量", "合同数量", "quantity due"), gettext_lazy("Quantity due")),
    AMOUNT,
    Column("delivered_on", ("实际交货日期", "实交日期", "交货日期", "delivered on"), gettext_lazy("Delivered on")),
    Column("quantity_delivered", ("实交数量", "实际交货数量", "quantity delivered"), gettext_lazy("Quantity delivered")),
    Column("order_number", ("订单号", "order number"), gettext_lazy("Order number")),
    Column("invoiced", ("已开票", "invoiced"), gettext_lazy("Invoiced")),
]
INVOICE_COLUMNS = [
    *CUSTOMER_COLUMNS,
    Column("reference", ("发票号", "发票号码", "invoice number", "reference"), gettext_lazy("Invoice number")),
    Column("issued_on", ("开票日期", "issued on", "invoice date"), gettext_lazy("Issued on")),
    Column("due_on", ("到期日", "付款到期日", "due on", "due date"), gettext_lazy("Due on")),
    AMOUNT,
    CURRENCY,
    Column("delivery_references", ("交货单号", "发货单号", "delivery numbers", "deliveries"), gettext_lazy("Delivery numbers")),
    Column("order_number", ("订单号", "order number"), gettext_lazy("Order number")),
]
PAYMENT_COLUMNS = [
    *CUSTOMER_COLUMNS,
    Column("reference", ("付款单号", "收款单号", "单据号", "payment reference", "reference"), gettext_lazy("Payment reference")),
    Column("invoice_reference", ("发票号", "发票号码", "invoice number"), gettext_lazy("Invoice number")),
    Column("paid_on", ("付款日期", "收款日期", "到账日期", "paid on"), gettext_lazy("Paid on")),
    AMOUNT,
]

YES = {"1", "y", "yes", "true", "是", "已开票", "√"}
NO = {"", "0", "n", "no", "false", "否", "未开票"}
_DATE = re.compile(r"^(\d{4})[-/.年](\d{1,2})(?:[-/.月](\d{1,2})日?)?月?(?:[ T]00:00(?::00)?)?$")


def _day(value: Any, *, month: bool = False) -> str:
    """Normalise the ways spreadsheets write a day (2026/10/5, 2026年10月5日, 2026-10-05 00:00:00) to ISO;
    anything else is passed on for the service to refuse with its own message."""
    text = (value or "").strip()
    match = _DATE.match(text)
    if not match:
        return text
    year, mon, day = int(match.group(1)), int(match.group(2)), match.group(3)
    if day is None:
        return f"{year:04d}-{mon:02d}" + ("" if month else "-01")
    return f"{year:04d}-{mon:02d}-{int(day):02d}"


def _history(value: str) -> bool:
    """A row of a closed month (before the current month) is history."""
    try:
        day = date.fromisoformat(value if len(value) != 7 else value + "-01")
    except ValueError:
        return False
    return day < timezone.localdate().replace(day=1)


def _customer_id(record: dict[str, Any]) -> int:
    found = None
    if record.get("uscc"):
        code = rules.clean_uscc(record["uscc"])
        if code is None:
            raise InvalidInput(_("%(v)s is not a valid unified social credit code.") % {"v": record["uscc"]},
                               field="uscc")
        found = Customer.objects.filter(uscc=code).values_list("pk", flat=True).first()
    elif record.get("id_number"):
        number = rules.clean_resident_id(record["id_number"])
        if number is None:
            raise InvalidInput(_("The resident ID number is not valid."), field="id_number")
        found = (Customer.objects.filter(id_number_filter(number))
                 .values_list("pk", flat=True).first())
    else:
        raise InvalidInput(_("Name the customer by its credit code or ID number."), field="uscc", code="required")
    if found is None:
        raise InvalidInput(_("No such customer."), field="uscc", code="unknown_customer")
    return found


def _mode_allows(mode: str, model, customer_id: int, reference: str) -> bool:
    """Return allow_update for the services; ``update`` also needs the reference on file."""
    if mode == "update" and not model.objects.filter(customer_id=customer_id, reference=reference.strip()).exists():
        raise InvalidInput(_("No such record to update."), field="reference", code="not_found")
    return mode != "create"


def _order_id(customer_id: int, number: str) -> int | None:
    if not (number or "").strip():
        return None
    found = SalesOrder.objects.filter(customer_id=customer_id, number=number.strip()).values_list("pk", flat=True)
    if not found:
        raise InvalidInput(_("This customer has no order %(n)s.") % {"n": number}, field="order_number",
                           code="unknown_order")
    return found[0]


def _flag(value: str) -> bool:
    text = (value or "").strip().lower()
    if text in YES:
        return True
    if text in NO:
        return False
    raise InvalidInput(_("Write yes or no (是/否)."), field="invoiced")


def apply_sales(*, actor, mode: str, org_code: str | None, record: dict[str, Any], channel: str) -> str:
    customer_id = _customer_id(record)
    period = _day(record.get("period"), month=True)
    return facts.sales_record(
        actor=actor, customer_id=customer_id, period=period, amount=record.get("amount"),
        reference=record.get("reference"), currency=record.get("currency") or "CNY", history=_history(period),
        allow_update=_mode_allows(mode, SalesRecord, customer_id, record.get("reference") or ""), channel=channel,
    ).outcome


def apply_delivery(*, actor, mode: str, org_code: str | None, record: dict[str, Any], channel: str) -> str:
    customer_id = _customer_id(record)
    due_on = _day(record.get("due_on"))
    return facts.delivery_record(
        actor=actor, customer_id=customer_id, reference=record.get("reference"), due_on=due_on,
        quantity_due=record.get("quantity_due"), amount=record.get("amount"),
        delivered_on=_day(record.get("delivered_on")) or None, quantity_delivered=record.get("quantity_delivered"),
        order_id=_order_id(customer_id, record.get("order_number") or ""), invoiced=_flag(record.get("invoiced")),
        history=_history(due_on), allow_update=_mode_allows(mode, Delivery, customer_id, record.get("reference") or ""),
        channel=channel,
    ).outcome


def apply_invoice(*, actor, mode: str, org_code: str | None, record: dict[str, Any], channel: str) -> str:
    customer_id = _customer_id(record)
    issued_on = _day(record.get("issued_on"))
    deliveries = (record.get("delivery_references") or "").strip()
    return facts.invoice_record(
        actor=actor, customer_id=customer_id, reference=record.get("reference"), issued_on=issued_on,
        due_on=_day(record.get("due_on")), amount=record.get("amount"), currency=record.get("currency") or "CNY",
        delivery_references=deliveries or None, order_id=_order_id(customer_id, record.get("order_number") or ""),
        history=_history(issued_on),
        allow_update=_mode_allows(mode, Invoice, customer_id, record.get("reference") or ""), channel=channel,
    ).outcome


def apply_payment(*, actor, mode: str, org_code: str | None, record: dict[str, Any], channel: str) -> str:
    customer_id = _customer_id(record)
    paid_on = _day(record.get("paid_on"))
    return facts.payment_record(
        actor=actor, customer_id=customer_id, reference=record.get("reference"), paid_on=paid_on,
        amount=record.get("amount"), invoice_reference=record.get("invoice_reference"), history=_history(paid_on),
        allow_update=_mode_allows(mode, Payment, customer_id, record.get("reference") or ""), channel=channel,
    ).outcome


SPECS = [
    ImportSpec(target="sales", columns=SALES_COLUMNS, apply=apply_sales, required={"reference", "period", "amount"}),
    ImportSpec(target="deliveries", columns=DELIVERY_COLUMNS, apply=apply_delivery,
               required={"reference", "due_on", "quantity_due", "amount"}),
    ImportSpec(target="invoices", columns=INVOICE_COLUMNS, apply=apply_invoice,
               required={"reference", "issued_on", "due_on", "amount"}),
    ImportSpec(target="payments", columns=PAYMENT_COLUMNS, apply=apply_payment,
               required={"reference", "invoice_reference", "paid_on", "amount"}),
]
for _spec in SPECS:
    register_spec(_spec)
