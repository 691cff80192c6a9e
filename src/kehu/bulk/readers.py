"""Reading import files: CSV in UTF-8 (with or without BOM) or GB18030, and XLSX. Deterministic order.

Files are read as streams: a million-row CSV is never held in memory as a whole."""

from __future__ import annotations

import codecs
import csv
import io
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path

from kehu.bulk.errors import FileRefused
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


def check_file(path: Path, *, max_rows: int, max_columns: int, max_uncompressed: int, max_ratio: int) -> None:
    """Refuse a file before reading it (issue 11, defect 3). An XLSX is a zip: its directory says how large
    each part is once inflated, so a zip bomb is refused without inflating anything (total size and the
    ratio of each part above 1 MiB); the first sheet's ``<dimension>`` (read with defusedxml, a few KB)
    gives its rows and columns. ``read_rows`` enforces the same row and column limits while reading."""
    if not _is_xlsx(path):
        return

    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
            if len(infos) > 10_000:
                raise FileRefused("unsafe_file", f"{len(infos)} parts in the workbook")
            total = sum(i.file_size for i in infos)
            if total > max_uncompressed:
                raise FileRefused("unsafe_file", f"the workbook inflates to {total} bytes (limit {max_uncompressed})")
            for info in infos:
                if info.file_size > (1 << 20) and info.file_size > max_ratio * max(1, info.compress_size):
                    raise FileRefused("unsafe_file", f"part {info.filename} inflates {info.file_size // max(1, info.compress_size)}"
                                      f" times (limit {max_ratio})")
            sheet = _first_sheet(archive)
            if sheet is not None:
                rows, columns = _dimension(archive, sheet)
                if rows > max_rows + 1:
                    raise FileRefused("too_many_rows", f"the sheet has {rows - 1} data rows (limit {max_rows})")
                if columns > max_columns:
                    raise FileRefused("too_many_columns", f"the sheet has {columns} columns (limit {max_columns})")
    except zipfile.BadZipFile as exc:
        raise FileRefused("unreadable_file", str(exc)) from None


def _first_sheet(archive) -> str | None:
    names = sorted(n for n in archive.namelist() if n.startswith("xl/worksheets/sheet") and n.endswith(".xml"))
    return "xl/worksheets/sheet1.xml" if "xl/worksheets/sheet1.xml" in names else (names[0] if names else None)


def _dimension(archive, name: str) -> tuple[int, int]:
    """(rows, columns) from the sheet's ``<dimension ref="A1:M1000"/>``, read with defusedxml's iterparse
    from the first 64 KB only; (0, 0) if the sheet does not say."""

    # defusedxml loads only when an XLSX file is read
    from defusedxml.ElementTree import iterparse

    with archive.open(name) as fh:
        head = fh.read(64 * 1024)
    ref = ""
    try:
        for _event, element in iterparse(io.BytesIO(head), events=("start",)):
            if element.tag.endswith("}dimension") or element.tag == "dimension":
                ref = element.get("ref", "")
                break
            if element.tag.endswith("}sheetData"):
                break
    except Exception as exc:  # defusedxml refuses DTDs and entities; a cut-off head is fine once found
        if exc.__class__.__module__.startswith("defusedxml"):
            raise FileRefused("unsafe_file", f"the sheet's XML is refused: {exc.__class__.__name__}") from None
    match = re.fullmatch(r"[A-Z]{1,3}\d+:([A-Z]{1,3})(\d+)", ref)
    if not match:
        return 0, 0
    letters, rows = match.group(1), int(match.group(2))
    columns = 0
    for ch in letters:
        columns = columns * 26 + ord(ch) - 64
    return rows, columns


def read_rows(path: Path, *, max_rows: int | None = None,
              max_columns: int | None = None) -> Iterator[tuple[int, list[str]]]:
    """Yield (line number, cells) of every row, header first; blank rows and the watermark row of a kehu
    export are skipped. Past ``max_rows`` data rows or a row of more than ``max_columns`` cells,
    ``FileRefused`` is raised."""
    count = 0
    for number, cells in _read_rows(path, max_columns):
        if max_columns is not None and len(cells) > max_columns:
            while cells and not cells[-1]:
                cells.pop()
            if len(cells) > max_columns:
                raise FileRefused("too_many_columns", f"line {number} has {len(cells)} columns (limit {max_columns})")
        count += 1
        if max_rows is not None and count > max_rows + 1:
            raise FileRefused("too_many_rows", f"more than {max_rows} data rows")
        yield number, cells


def _read_rows(path: Path, max_columns: int | None) -> Iterator[tuple[int, list[str]]]:
    if _is_xlsx(path):
        # openpyxl loads only when a workbook is read or written
        import openpyxl

        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
        try:
            sheet = book.worksheets[0]
            rows = sheet.iter_rows(values_only=True, max_col=None if max_columns is None else max_columns + 50)
            for number, row in enumerate(rows, start=1):
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
            # openpyxl loads only when a workbook is read or written
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
