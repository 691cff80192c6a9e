"""Customer exports and the import template. Exports use the template's columns, so a file exported with
unmask permission can be edited and imported again; without that permission personal data is masked."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from django.db import transaction

from kehu.bulk.events import BulkEvent
from kehu.bulk.importers import CUSTOMER_COLUMNS
from kehu.core.audit import audit_record
from kehu.core.errors import InvalidInput
from kehu.core.permissions import Perm
from kehu.core.selectors import access_for
from kehu.customers.selectors import customer_field_value, customer_search, masked

# The template's header row: the first (Chinese) alias of each column.
TEMPLATE_HEADER = [c.aliases[0] for c in CUSTOMER_COLUMNS]
KIND_LABEL = {"enterprise": "企业", "individual": "个人", "financial_institution": "金融机构", "scattered": "散户"}
FILTERS = ("q", "kind", "status", "org_code", "region", "industry", "grade")


def _rows(customers: Iterable, unmask: bool) -> Iterator[list[Any]]:
    for customer in customers:
        row: list[Any] = []
        for column in CUSTOMER_COLUMNS:
            if column.key == "kind":
                row.append(KIND_LABEL.get(customer.kind, customer.kind))
            elif column.key == "registered_capital_amount":
                amount = customer.registered_capital_amount
                row.append("" if amount is None else str(amount))
            else:
                value = customer_field_value(customer, column.key) if unmask else masked(customer, column.key)
                row.append(value or "")
        yield row


def write_table(path: Path, header: list[str], rows: Iterable[list[Any]], fmt: str) -> int:
    """CSV as UTF-8 with BOM (Excel opens it as Chinese text), or XLSX written streaming (openpyxl write_only)."""
    count = 0
    if fmt == "csv":
        with path.open("w", encoding="utf-8-sig", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(header)
            for row in rows:
                writer.writerow(row)
                count += 1
        return count
    if fmt == "xlsx":
        import openpyxl

        book = openpyxl.Workbook(write_only=True)
        sheet = book.create_sheet()
        sheet.append(header)
        for row in rows:
            sheet.append(row)
            count += 1
        book.save(path)
        return count
    raise InvalidInput(f"unknown format {fmt}", field="format")


def export_template(path: Path, fmt: str) -> None:
    write_table(path, TEMPLATE_HEADER, [], fmt)


def export_customers(*, actor, path: Path, fmt: str = "xlsx", filters: dict[str, str] | None = None) -> int:
    """Write the customers ``actor`` may see that match ``filters`` (those of customer search); audited."""
    filters = {k: v for k, v in (filters or {}).items() if k in FILTERS and v}
    unmask = actor is None or access_for(actor).has(Perm.CUSTOMER_UNMASK)
    customers = customer_search(user=actor, **filters).iterator(chunk_size=2000)
    count = write_table(Path(path), TEMPLATE_HEADER, _rows(customers, unmask), fmt)
    with transaction.atomic():
        audit_record(actor=actor, event_code=BulkEvent.EXPORT_DONE, object_type="customer_export", object_id="",
                     new={"filters": filters, "format": fmt, "rows": count, "masked": not unmask}, channel="export")
    return count
