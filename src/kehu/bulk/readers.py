"""Reading import files: CSV in UTF-8 (with or without BOM) or GB18030, and XLSX. Deterministic order.

Files are read as streams: a million-row CSV is never held in memory as a whole."""

from __future__ import annotations

import codecs
import csv
import datetime
import io
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path

from django.utils.translation import gettext as _

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
                raise FileRefused("unsafe_file", _("the workbook has %(n)d parts") % {"n": len(infos)})
            total = sum(i.file_size for i in infos)
            if total > max_uncompressed:
                raise FileRefused("unsafe_file", _("the workbook inflates to %(n)d bytes (limit %(limit)d)") % {"n": total, "limit": max_uncompressed})
            for info in infos:
                if info.file_size > (1 << 20) and info.file_size > max_ratio * max(1, info.compress_size):
                    raise FileRefused("unsafe_file", _("part %(part)s inflates %(n)d times (limit %(limit)d)") % {
                        "part": info.filename, "n": info.file_size // max(1, info.compress_size), "limit": max_ratio})
            sheet = _first_sheet(archive)
            if sheet is not None:
                rows, columns = _dimension(archive, sheet)
                if rows > max_rows + 1:
                    raise FileRefused("too_many_rows", _("the sheet has %(n)d data rows (limit %(limit)d)") % {"n": rows - 1, "limit": max_rows})
                if columns > max_columns:
                    raise FileRefused("too_many_columns", _("the sheet has %(n)d columns (limit %(limit)d)") % {"n": columns, "limit": max_columns})
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
            raise FileRefused("unsafe_file", _("the sheet's XML is refused (%(why)s)") % {"why": exc.__class__.__name__}) from None
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
                raise FileRefused("too_many_columns", _("line %(line)d has %(n)d columns (limit %(limit)d)") % {
                    "line": number, "n": len(cells), "limit": max_columns})
        count += 1
        if max_rows is not None and count > max_rows + 1:
            raise FileRefused("too_many_rows", _("more than %(limit)d data rows") % {"limit": max_rows})
        yield number, cells


def _read_rows(path: Path, max_columns: int | None) -> Iterator[tuple[int, list[str]]]:
    if _is_xlsx(path):
        _refuse_rows_below_dimension(path)
        sheet = _calamine_rows(path, max_columns)
        for number, row in (sheet if sheet is not None else _openpyxl_rows(path, max_columns)):
            cells = _clean(row)
            if any(cells) and not is_watermark(cells):
                yield number, cells
        return
    with path.open(encoding=encoding_of(path), newline="") as fh:
        for number, row in enumerate(csv.reader(fh), start=1):
            cells = _clean(row)
            if any(cells) and not is_watermark(cells):
                yield number, cells


def _openpyxl_rows(path: Path, max_columns: int | None) -> Iterator[tuple[int, list]]:
    """The first sheet's rows as openpyxl's read-only mode gives them: the reference the calamine reader
    matches, and the reader of a workbook whose cells it cannot vouch for (``_calamine_rows``)."""
    # openpyxl loads only when a workbook is read or written
    import openpyxl

    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        sheet = book.worksheets[0]
        rows = sheet.iter_rows(values_only=True, max_col=None if max_columns is None else max_columns + 50)
        for number, row in enumerate(rows, start=1):
            yield number, list(row)
    finally:
        book.close()


# A number cell's text that openpyxl reads as a float although its value is whole ("12.0", "1.2E+3"), or as an
# int that a float cannot hold exactly (16 digits and more): calamine gives a float for both, and which text
# it was decides between "12" and "12.0" (or "1.10101199003072e+17"), so such a workbook is read by openpyxl.
_AMBIGUOUS_NUMBER = re.compile(rb"<v>\s*([-+]?(?:\d*\.\d*(?:[eE][-+]?\d+)?|\d+[eE][-+]?\d+|\d{16,}))\s*</v>")
# Number formats whose meaning depends on Excel's locale (the East Asian date formats among them): openpyxl
# shows such a cell as its number, calamine as a date.
_OPENPYXL_BUILTIN_FORMATS = frozenset([*range(0, 23), *range(37, 50)])
_NUMFMT_ID = re.compile(rb"<xf\b[^>]*?\bnumFmtId=\"(\d+)\"")
_CUSTOM_NUMFMT = re.compile(rb"<numFmt\b[^>]*?\bnumFmtId=\"(\d+)\"")


def _calamine_rows(path: Path, max_columns: int | None) -> Iterator[tuple[int, list]] | None:
    """The first sheet's rows read with python-calamine (Rust; about ten times openpyxl's read-only speed),
    with the same cells as ``_openpyxl_rows`` gives them: line numbers from the sheet's first row, missing rows
    and cells as None, rows as wide as openpyxl makes them and no further down than the sheet's
    ``<dimension>``, whole numbers as int, dates as datetime. None if the workbook holds a cell whose value the
    two would read differently (``_vouched``): the caller then reads it with openpyxl."""
    # python-calamine loads only when a workbook is read
    import python_calamine

    try:
        with zipfile.ZipFile(path) as archive:
            sheet_name = _first_sheet(archive)
            if sheet_name is None or not _vouched(archive, sheet_name):
                return None
            max_row, width = _dimension_of(archive, sheet_name)
    except (zipfile.BadZipFile, KeyError):
        return None  # openpyxl raises what it raises for it today
    if width is None and max_columns is None:
        return None  # openpyxl keeps each row as long as its last cell element, which calamine does not say
    if max_columns is not None:
        # openpyxl reads max_columns + 50 cells of a row and read_rows then drops the empty ones at its end
        return _calamine_cells(python_calamine, path, max_row, max_columns + 50, pad=False)
    return _calamine_cells(python_calamine, path, max_row, width, pad=True)


def _calamine_cells(python_calamine, path: Path, max_row: int | None, width: int | None,
                    pad: bool) -> Iterator[tuple[int, list]]:
    # Rows with no cell at all are not yielded: openpyxl yields them empty and read_rows skips blank rows.
    book = python_calamine.CalamineWorkbook.from_path(str(path))
    try:
        sheet = book.get_sheet_by_index(0)
        # iter_rows starts at the sheet's first row (A1's) but at the first column that has a cell
        first_col = (sheet.start or (0, 0))[1]
        for number, row in enumerate(sheet.iter_rows(), start=1):
            if max_row is not None and number > max_row:
                break
            cells: list = [None] * first_col
            cells.extend(map(_value, row))
            if width is not None:
                cells = cells[:width]
                if pad:  # openpyxl makes every row exactly this wide
                    cells.extend([None] * (width - len(cells)))
                else:  # the cells that would be padded and dropped again, without the padding
                    while cells and (cells[-1] is None or (type(cells[-1]) is str and not cells[-1].strip())):
                        cells.pop()
            yield number, cells
    finally:
        book.close()


def _value(value):
    """A calamine cell as openpyxl gives it (``_clean`` then makes the same text of both)."""
    kind = type(value)
    if kind is str:
        return value or None
    if kind is float:
        # Whole numbers were written without a point (``_vouched`` sent the others to openpyxl): openpyxl's int.
        return int(value) if value.is_integer() else value
    if kind is datetime.date:
        return datetime.datetime(value.year, value.month, value.day)  # noqa: DTZ001 (a cell has no time zone)
    return value


def _vouched(archive: zipfile.ZipFile, sheet_name: str) -> bool:
    """Whether calamine reads every cell of the sheet as openpyxl does: no number text of the ambiguous kinds
    (``_AMBIGUOUS_NUMBER``) and no locale-dependent built-in number format. The scan is a regular expression
    over the inflated XML, a small part of the time either reader takes."""
    try:
        styles = archive.read("xl/styles.xml")
    except KeyError:
        styles = b""
    custom = {int(i) for i in _CUSTOM_NUMFMT.findall(styles)}
    for fmt in _NUMFMT_ID.findall(styles):
        if int(fmt) not in _OPENPYXL_BUILTIN_FORMATS and int(fmt) not in custom:
            return False
    with archive.open(sheet_name) as fh:
        tail = b""
        for block in iter(lambda: fh.read(BLOCK), b""):
            data = tail + block
            for text in _AMBIGUOUS_NUMBER.findall(data):
                try:
                    number = float(text)
                except ValueError:
                    return False
                if number.is_integer() or len(text.lstrip(b"+-")) >= 16:
                    return False
            # a <v>...</v> cut at the block's end is scanned with the next block
            tail = data[-64:]
    return True


# A row's start tag (its number) or a cell's value, in the order they come in a sheet's XML.
_ROW_OR_VALUE = re.compile(rb"<(?:\w+:)?row\b[^>]*?\br=\"(\d+)\"|<(?:\w+:)?(?:v|is)>")


def _last_row_with_a_value(archive: zipfile.ZipFile, name: str) -> int:
    """The number of the sheet's last row that holds a cell value (0 if none), from one regular-expression pass
    over the XML (the readers stop at the ``<dimension>``, so it cannot be learnt from them)."""
    last, current, tail = 0, 0, b""
    with archive.open(name) as fh:
        for block in iter(lambda: fh.read(BLOCK), b""):
            data = tail + block
            # a tag cut at the block's end is scanned with the next block
            cut = data.rfind(b"<")
            cut = cut if cut >= 0 and data.find(b">", cut) < 0 else len(data)
            for match in _ROW_OR_VALUE.finditer(data, 0, cut):
                if match.group(1) is not None:
                    current = int(match.group(1))
                else:
                    last = max(last, current)
            tail = data[cut:]
    return last


def _refuse_rows_below_dimension(path: Path) -> None:
    """Refuse a workbook with values below the range its ``<dimension>`` declares. Some writers leave a stale
    one; both readers stop at it (openpyxl's read-only mode always did), so those rows would be left out of the
    import without a word."""
    try:
        with zipfile.ZipFile(path) as archive:
            sheet = _first_sheet(archive)
            if sheet is None:
                return
            declared = _dimension_of(archive, sheet)[0]
            if declared is None:
                return
            last = _last_row_with_a_value(archive, sheet)
    except (zipfile.BadZipFile, KeyError):
        return  # the readers raise what they raise for it
    if last > declared:
        raise FileRefused("stale_dimension", _(
            "row %(row)d holds data below the range the workbook declares (it ends at row %(end)d), so rows would "
            "be left out; open the file in Excel or WPS, save it again and upload it again")
            % {"row": last, "end": declared})


def _dimension_of(archive: zipfile.ZipFile, name: str) -> tuple[int | None, int | None]:
    """(last row, last column) of the sheet's ``<dimension>`` as openpyxl's read-only mode takes them (it reads
    no row below it and makes every row that wide); (None, None) without one."""
    with archive.open(name) as fh:
        head = fh.read(64 * 1024)
    at = head.find(b"<sheetData")
    match = re.search(rb"<(?:\w+:)?dimension\b[^>]*?\bref=\"([A-Z]{1,3})(\d+)(?::([A-Z]{1,3})(\d+))?\"",
                      head if at < 0 else head[:at])
    if match is None:
        return None, None
    letters, rows = (match.group(3), match.group(4)) if match.group(3) else (match.group(1), match.group(2))
    columns = 0
    for ch in letters.decode():
        columns = columns * 26 + ord(ch) - 64
    return int(rows), columns


def count_rows(path: Path) -> int | None:
    """About how many data rows the file has, for progress (line breaks in a CSV; the sheet's dimension in
    an XLSX); None if unknown."""
    try:
        if _is_xlsx(path):
            # The first sheet's <dimension>, what openpyxl's read-only max_row was (without loading the
            # workbook's shared strings, which took seconds for a large file).
            with zipfile.ZipFile(path) as archive:
                sheet = _first_sheet(archive)
                rows = _dimension_of(archive, sheet)[0] if sheet is not None else None
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
    except (OSError, ValueError, KeyError, zipfile.BadZipFile):
        return None


def fill_header(cells: list[str]) -> list[str]:
    """A merged header cell arrives as its text followed by empty cells; an empty header cell is ignored."""
    return [c.replace("\n", "").replace(" ", "").lower() for c in cells]
