"""What every export file shares (issue 11, defects 2 and export control; domain spec 10.5).

* ``safe_cell``: OWASP's CSV-injection rule. A text cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a
  carriage return is written with a leading apostrophe, so a spreadsheet shows it as text instead of
  running it as a formula; the original characters stay readable after the apostrophe. Numbers, dates and
  decimals are written as they are (a negative amount is a number, not text). Every CSV and XLSX kehu
  writes passes its cells through here (``safe_row``); openpyxl writes a str starting with ``=`` as a
  formula, and after ``safe_cell`` none does.
* ``watermark``: every export file says who exported it and when (domain spec 10.5): a last row
  ``# 导出人 …`` in CSV and XLSX (the importer ignores it) and, in an XLSX, the workbook's creator,
  description and the sheets' footer.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.utils import timezone

if TYPE_CHECKING:
    from kehu.core.models import User

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
WATERMARK_PREFIX = "# 导出人"


def safe_cell(value: Any) -> Any:
    """The value to write into a CSV or XLSX cell: text that a spreadsheet would read as a formula gets a
    leading apostrophe; everything else is returned unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def safe_row(row: Iterable[Any]) -> list[Any]:
    return [safe_cell(v) for v in row]


def watermark(user: User | None, when: datetime | None = None) -> str:
    """``# 导出人 <username> (id) 导出时间 <local time>``: the line every export file carries."""
    when = timezone.localtime(when or timezone.now())
    who = "kehu" if user is None or not getattr(user, "pk", None) else f"{user.get_username()} (#{user.pk})"
    return f"{WATERMARK_PREFIX} {who} 导出时间 {when:%Y-%m-%d %H:%M:%S%z}"


def is_watermark(cells: list[str]) -> bool:
    """True for the watermark row of a kehu export (the importer skips it)."""
    return bool(cells) and str(cells[0]).startswith(WATERMARK_PREFIX)


def mark_workbook(book: Any, mark: str) -> None:
    """Put the watermark into an openpyxl workbook's properties and every sheet's footer."""
    book.properties.creator = mark
    book.properties.description = mark
    book.properties.title = mark
    for sheet in book.worksheets:
        try:
            sheet.oddFooter.center.text = mark
            sheet.evenFooter.center.text = mark
        except AttributeError:  # a write-only sheet has no header/footer object
            pass

