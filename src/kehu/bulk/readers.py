"""Reading import files: CSV in UTF-8 (with or without BOM) or GB18030, and XLSX. Deterministic order.

Files are read as streams: a million-row CSV is never held in memory as a whole."""

from __future__ import annotations

import codecs
import csv
from collections.abc import Iterator
from pathlib import Path

from kehu.core.exports import is_watermark

BLOCK = 1 << 20


def encoding_of(path: Path) -> str:
    """``utf-8-sig`` if the whole file is valid UTF-8, else ``gb18030``; checked block by block."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        with path.open("rb") as fh:
            for block in iter(lambda: fh.read(BLOCK), b""):
                decoder.decode(block)
            decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return "gb18030"
    return "utf-8-sig"


def _clean(row: list) -> list[str]:
    return ["" if v is None else str(v).strip() for v in row]


def _is_xlsx(path: Path) -> bool:
    return path.suffix.lower() in (".xlsx", ".xlsm")


def read_rows(path: Path) -> Iterator[tuple[int, list[str]]]:
    """Yield (line number, cells) of every row, header first; blank rows and the watermark row of a kehu
    export are skipped."""
    if _is_xlsx(path):
        import openpyxl

        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
        try:
            sheet = book.worksheets[0]
            for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
                cells = _clean(list(row))
                if any(cells) and not is_watermark(cells):
                    yield number, cells
        finally:
            book.close()
        return
    with path.open(encoding=encoding_of(path), newline="") as fh:
        for number, row in enumerate(csv.reader(fh), start=1):
            cells = _clean(row)
            if any(cells) and not is_watermark(cells):
                yield number, cells


def count_rows(path: Path) -> int | None:
    """About how many data rows the file has, for progress (line breaks in a CSV; the sheet's dimension in
    an XLSX); None if unknown."""
    try:
        if _is_xlsx(path):
            import openpyxl

            book = openpyxl.load_workbook(path, read_only=True)
            try:
                rows = book.worksheets[0].max_row
            finally:
                book.close()
            return max(0, rows - 1) if rows else None
        lines = 0
        last = b"\n"
        with path.open("rb") as fh:
            for block in iter(lambda: fh.read(BLOCK), b""):
                lines += block.count(b"\n")
                last = block[-1:]
        if last != b"\n":
            lines += 1
        return max(0, lines - 1)
    except (OSError, ValueError, KeyError):
        return None


def fill_header(cells: list[str]) -> list[str]:
    """A merged header cell arrives as its text followed by empty cells; an empty header cell is ignored."""
    return [c.replace("\n", "").replace(" ", "").lower() for c in cells]
