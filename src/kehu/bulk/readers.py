"""Reading import files: CSV in UTF-8 (with or without BOM) or GB18030, and XLSX. Deterministic order."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path


def decode(data: bytes) -> str:
    """UTF-8 (a BOM is dropped) if the bytes are valid UTF-8, else GB18030 (what Excel on Chinese Windows saves)."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("gb18030")


def _clean(row: list) -> list[str]:
    return ["" if v is None else str(v).strip() for v in row]


def read_rows(path: Path) -> Iterator[tuple[int, list[str]]]:
    """Yield (line number, cells) of every row, header first; blank rows are skipped."""
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        import openpyxl

        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
        sheet = book.worksheets[0]
        for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
            cells = _clean(list(row))
            if any(cells):
                yield number, cells
        book.close()
        return
    text = decode(path.read_bytes())
    for number, row in enumerate(csv.reader(io.StringIO(text, newline="")), start=1):
        cells = _clean(row)
        if any(cells):
            yield number, cells


def fill_header(cells: list[str]) -> list[str]:
    """A merged header cell arrives as its text followed by empty cells; an empty header cell is ignored."""
    return [c.replace("\n", "").replace(" ", "").lower() for c in cells]
