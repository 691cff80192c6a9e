"""Customer exports and the import template. Exports use the template's columns, so a file exported with
unmask permission can be edited and imported again; without that permission personal data is masked."""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import transaction

from kehu.bulk.customer_import import CUSTOMER_COLUMNS
from kehu.bulk.events import BulkEvent
from kehu.core.audit import audit_record
from kehu.core.errors import InvalidInput
from kehu.core.exports import mark_workbook, safe_row, watermark
from kehu.core.files import private_open
from kehu.core.selectors import access_for
from kehu.customers.permissions import CustomerPerm
from kehu.customers.selectors import customer_field_value, customer_search, masked

# The template's header row: the first (Chinese) alias of each column.
TEMPLATE_HEADER = [c.aliases[0] for c in CUSTOMER_COLUMNS]
KIND_LABEL = {"enterprise": "企业", "individual": "个人", "financial_institution": "金融机构", "scattered": "散户"}
FILTERS = ("q", "kind", "status", "org_code", "region", "industry", "grade")


@dataclass(frozen=True)
class ExportColumn:
    """A column another module adds after the template's columns (re-import ignores it): ``fetch`` takes a
    batch of customer ids and returns each customer's value (missing ids stay empty)."""

    header: str
    fetch: Callable[[list[int]], dict[int, Any]]


EXTRA_COLUMNS: list[ExportColumn] = []


def register_export_column(column: ExportColumn) -> None:
    if all(existing.header != column.header for existing in EXTRA_COLUMNS):
        EXTRA_COLUMNS.append(column)


def export_header() -> list[str]:
    return TEMPLATE_HEADER + [c.header for c in EXTRA_COLUMNS]


def _rows(customers: Iterable, unmask: bool) -> Iterator[list[Any]]:
    batch: list = []
    for customer in customers:
        batch.append(customer)
        if len(batch) >= 2000:
            yield from _batch_rows(batch, unmask)
            batch = []
    if batch:
        yield from _batch_rows(batch, unmask)


def _batch_rows(customers: list, unmask: bool) -> Iterator[list[Any]]:
    # The other modules' columns are read once per batch, set-based, not once per customer.
    extra = [column.fetch([c.pk for c in customers]) for column in EXTRA_COLUMNS]
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
        for values in extra:
            value = values.get(customer.pk)
            row.append("" if value is None else str(value))
        yield row


def write_table(path: Path, header: list[str], rows: Iterable[list[Any]], fmt: str, *, mark: str = "") -> int:
    """CSV as UTF-8 with BOM (Excel opens it as Chinese text), or XLSX written streaming (openpyxl write_only).
    Every cell goes through ``safe_row`` (formula injection); ``mark`` (the watermark) is the last row, and
    in an XLSX also the workbook's properties. The file is created 0600."""
    count = 0
    if fmt == "csv":
        with private_open(path, "w", encoding="utf-8-sig", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(header)
            for row in rows:
                writer.writerow(safe_row(row))
                count += 1
            if mark:
                writer.writerow([mark])
        return count
    if fmt == "xlsx":
        # openpyxl loads only when a workbook is read or written
        import openpyxl

        book = openpyxl.Workbook(write_only=True)
        sheet = book.create_sheet()
        sheet.append(header)
        for row in rows:
            sheet.append(safe_row(row))
            count += 1
        if mark:
            sheet.append([mark])
            mark_workbook(book, mark)
        with private_open(path, "wb") as fh:
            book.save(fh)
        return count
    raise InvalidInput(f"unknown format {fmt}", field="format")


def export_template(path: Path, fmt: str) -> None:
    write_table(path, TEMPLATE_HEADER, [], fmt)


def _filters(filters: dict[str, str] | None) -> dict[str, str]:
    return {k: v for k, v in (filters or {}).items() if k in FILTERS and v}


def _may_unmask(actor) -> bool:
    return actor is None or access_for(actor).has(CustomerPerm.CUSTOMER_UNMASK)


def customer_rows(*, actor, filters: dict[str, str] | None = None) -> Iterator[list[Any]]:
    """The template's rows of the customers ``actor`` may see that match ``filters``, read in batches
    (personal data masked without unmask permission)."""
    customers = customer_search(user=actor, **_filters(filters)).iterator(chunk_size=2000)
    return _rows(customers, _may_unmask(actor))


def export_audit(*, actor, filters: dict[str, str] | None, fmt: str, rows: int, channel: str = "export",
                 complete: bool = True) -> None:
    new = {"filters": _filters(filters), "format": fmt, "rows": rows, "masked": not _may_unmask(actor)}
    if not complete:
        new["complete"] = False  # the download was broken off after ``rows`` rows
    with transaction.atomic():
        audit_record(actor=actor, event_code=BulkEvent.EXPORT_DONE, object_type="customer_export", object_id="",
                     new=new, channel=channel)


def export_customers(*, actor, path: Path, fmt: str = "xlsx", filters: dict[str, str] | None = None,
                     request_id: int | None = None) -> int:
    """Write the customers ``actor`` may see that match ``filters`` (those of customer search); audited.

    Above ``bulk.export_approval_rows`` rows a person needs an approved ``ExportRequest`` (``request_id``:
    its filters and format are used, once); without one ``ApprovalRequired`` is raised."""
    # bulk.approvals imports bulk.exports: importing it at the top would be a cycle
    from kehu.bulk import approvals

    if request_id is not None:
        approved = approvals.export_take(actor=actor, request_id=request_id)
        filters, fmt = approved.filters, approved.fmt
    else:
        approvals.check_export(actor=actor, filters=filters)
    if fmt not in ("csv", "xlsx"):
        raise InvalidInput(f"unknown format {fmt}", field="format")
    count = write_table(Path(path), export_header(), customer_rows(actor=actor, filters=filters), fmt,
                        mark=watermark(actor))
    export_audit(actor=actor, filters=filters, fmt=fmt, rows=count)
    return count


class _Line:
    """A file-like object whose write() returns what was written (csv.writer into a generator)."""

    def write(self, value: str) -> str:
        return value


def stream_csv(*, actor, filters: dict[str, str] | None, channel: str = "web") -> Iterator[bytes]:
    """The export as CSV bytes, produced while the customers are read, a batch of lines at a time; the
    audit row (with the count) is written when the last row has gone out, or when the download breaks off."""
    writer = csv.writer(_Line())
    count = 0
    complete = False
    try:
        yield "\ufeff".encode() + writer.writerow(export_header()).encode("utf-8")
        batch: list[str] = []
        for row in customer_rows(actor=actor, filters=filters):
            batch.append(writer.writerow(safe_row(row)))
            count += 1
            if len(batch) >= 500:
                yield "".join(batch).encode("utf-8")
                batch = []
        batch.append(writer.writerow([watermark(actor)]))
        yield "".join(batch).encode("utf-8")
        complete = True
    finally:
        export_audit(actor=actor, filters=filters, fmt="csv", rows=count, channel=channel, complete=complete)
