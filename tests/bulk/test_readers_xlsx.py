"""XLSX uploads are read with python-calamine; every cell must come out as openpyxl's read-only mode gave it
(the reader before), so the same file imports the same and its error file holds the same cells."""

# Spreadsheet cells have no time zone: the datetimes written and read here are naive.
# ruff: noqa: DTZ001
from __future__ import annotations

import datetime
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from django.core.management import call_command

from kehu.bulk import readers
from kehu.bulk.errors import FileRefused
from kehu.bulk.exports import export_customers
from kehu.bulk.readers import count_rows, read_rows


def by_openpyxl(path: Path, **limits) -> list[tuple[int, list[str]]]:
    """What read_rows gave before: the openpyxl rows through the same cleaning and limits."""
    original = readers._calamine_rows
    readers._calamine_rows = lambda *_args: None
    try:
        return list(read_rows(path, **limits))
    finally:
        readers._calamine_rows = original


def both(path: Path, **limits) -> list[tuple[int, list[str]]]:
    ours = list(read_rows(path, **limits))
    assert ours == by_openpyxl(path, **limits)
    return ours


def workbook(path: Path, rows: list[list], *, formats: dict[str, str] | None = None, start: str = "A1") -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    column, row = openpyxl.utils.cell.coordinate_from_string(start)
    first = openpyxl.utils.cell.column_index_from_string(column)
    for r, values in enumerate(rows):
        for c, value in enumerate(values):
            if value is not None:
                sheet.cell(row=row + r, column=first + c, value=value)
    for ref, fmt in (formats or {}).items():
        sheet[ref].number_format = fmt
    book.save(path)
    return path


LIMITS = [{}, {"max_rows": 1000, "max_columns": 100}]


@pytest.mark.parametrize("limits", LIMITS)
def test_cells_of_every_kind_read_as_before(tmp_path, limits):
    rows = [
        ["客户类型", "客户 名称", "统一社会信用代码", "身份证号", "注册资本", "日期", "时间", None, "备注"],
        ["企业", "  某某有限公司 ", "91110000600037157X", "0012", 1000000, datetime.datetime(2024, 1, 2), None, None, True],
        ["个人", "张三", None, "110101199003077777", 1234.5, datetime.date(2023, 12, 31),
         datetime.time(13, 45, 30), None, False],
        [None, None, None, None, None, None, None, None, None],
        ["企业", "乙", "", "", Decimal("1.10"), datetime.datetime(2024, 5, 6, 7, 8, 9, 500000),
         datetime.timedelta(hours=30, minutes=5), None, -0.25],
        ["企业", "丙", 12345, 123456789012345, 0, datetime.datetime(1999, 12, 31, 23, 59, 59), 0.5, None, "=1+1"],
        ["企业", "丁", 7, -3, 1e-7, datetime.datetime(2024, 2, 29, 12), datetime.time(0, 0, 1), None, 3.14159],
    ]
    formats = {"F2": "yyyy-mm-dd", "F3": 'yyyy"年"m"月"d"日"', "F5": "yyyy/m/d h:mm:ss", "G3": "h:mm:ss",
               "G5": "[h]:mm", "F6": "m/d/yy", "G6": "0.00", "F7": "dd.mm.yyyy hh:mm", "G7": "h:mm AM/PM",
               "E2": "#,##0", "E3": "0.00%"}
    path = workbook(tmp_path / "kinds.xlsx", rows, formats=formats)
    ours = both(path, **limits)
    assert [line for line, _cells in ours] == [1, 2, 3, 5, 6, 7]
    assert ours[1][1][3] == "0012" and ours[1][1][4] == "1000000" and ours[1][1][5] == "2024-01-02 00:00:00"


@pytest.mark.parametrize("limits", LIMITS)
def test_sheet_not_starting_at_a1_and_merged_header(tmp_path, limits):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet["C3"] = "客户类型"
    sheet["D3"] = "客户名称"
    sheet["E3"] = "统一社会信用代码"
    sheet.merge_cells("E3:F3")
    sheet["C5"] = "企业"
    sheet["D5"] = "某公司"
    sheet["F5"] = "91110000600037157X"
    sheet["H9"] = None  # a styled empty cell further out
    sheet["H9"].number_format = "0.00"
    path = tmp_path / "offset.xlsx"
    book.save(path)
    ours = both(path, **limits)
    assert ours[0][0] == 3 and ours[0][1][:5] == ["", "", "客户类型", "客户名称", "统一社会信用代码"]


def _with_dimension(tmp_path, rows, ref_from: bytes, ref_to: bytes):
    import zipfile

    path = workbook(tmp_path / "dim.xlsx", rows)
    with zipfile.ZipFile(path) as src:
        parts = {i.filename: src.read(i.filename) for i in src.infolist()}
    assert ref_from in parts["xl/worksheets/sheet1.xml"]
    parts["xl/worksheets/sheet1.xml"] = parts["xl/worksheets/sheet1.xml"].replace(ref_from, ref_to)
    stale = tmp_path / "stale.xlsx"
    with zipfile.ZipFile(stale, "w") as out:
        for name, data in parts.items():
            out.writestr(name, data)
    return stale


def test_a_workbook_with_rows_below_its_declared_range_is_refused_not_cut_short(tmp_path):
    """Some writers leave a stale <dimension>; both readers stop at it, so the rows below it would silently be
    left out of the import. The file is refused with a clear message instead."""
    stale = _with_dimension(tmp_path, [["客户类型", "客户名称"], ["企业", "甲"], ["企业", "乙"]],
                            b'ref="A1:B3"', b'ref="A1:B2"')
    with pytest.raises(FileRefused) as refused:
        list(readers.read_rows(stale, max_rows=10, max_columns=10))
    assert refused.value.code == "stale_dimension" and "3" in str(refused.value.message)
    # a declared range larger than the data (blank rows at the end) is fine
    roomy = _with_dimension(tmp_path, [["客户类型", "客户名称"], ["企业", "甲"]], b'ref="A1:B2"', b'ref="A1:B9"')
    assert [line for line, _ in readers.read_rows(roomy, max_rows=10, max_columns=10)] == [1, 2]


def test_the_last_row_with_a_value_is_found_across_read_blocks(tmp_path, monkeypatch):
    import zipfile

    rows = [["客户类型", "客户名称"]] + [["企业", f"公司{i}"] for i in range(300)]
    path = workbook(tmp_path / "many.xlsx", rows)
    monkeypatch.setattr(readers, "BLOCK", 97)  # tags and values cut at every block's end
    with zipfile.ZipFile(path) as archive:
        assert readers._last_row_with_a_value(archive, "xl/worksheets/sheet1.xml") == 301


@pytest.mark.parametrize("value", [110101199003077777, 1.0e16, 12345678901234567])
def test_numbers_calamine_cannot_tell_apart_are_read_by_openpyxl(tmp_path, value):
    """An ID number typed as a number is stored as "1.10101199003078E+17": openpyxl reads a float and the
    cell becomes that text (and the row is rejected as today), not a digit string calamine would make."""
    path = workbook(tmp_path / "n.xlsx", [["客户类型", "身份证号"], ["个人", value]])
    import zipfile

    with zipfile.ZipFile(path) as archive:
        assert readers._vouched(archive, "xl/worksheets/sheet1.xml") is False
    assert both(path)[1][1][1] == str(openpyxl.load_workbook(path, read_only=True).worksheets[0]["B2"].value)


def test_project_workbooks_read_as_before(world, tmp_path):
    """The template and an export (with its watermark row) of the project itself."""
    template = tmp_path / "t.xlsx"
    call_command("bulk_export_template", "-o", str(template))
    assert len(both(template, max_rows=10, max_columns=100)) == 1
    world.enterprise(name="甲公司")
    world.individual()
    out = tmp_path / "e.xlsx"
    export_customers(actor=world.bj_cm, path=out, fmt="xlsx")
    assert len(both(out, max_rows=10, max_columns=100)) == 3
    for path in (template, out):  # as count_rows took it from openpyxl before
        rows = openpyxl.load_workbook(path, read_only=True).worksheets[0].max_row
        assert count_rows(path) == (max(0, rows - 1) if rows else None)


def test_large_generated_workbook_reads_as_before(tmp_path):
    import random

    from kehu.customers.generators import make_company, make_person_name, make_resident_id, make_uscc

    rng = random.Random(5)
    rows: list[list] = [["客户类型", "客户名称", "统一社会信用代码", "身份证号", "电话", "注册资本"]]
    for i in range(3000):
        if i % 3:
            rows.append(["企业", make_company(rng)[0], make_uscc(rng), None, None, rng.choice([1000000, "1,000,000.50",
                                                                                                12.5, None])])
        else:
            rows.append(["个人", make_person_name(rng), None, make_resident_id(rng), f"139{i:08d}", None])
    path = workbook(tmp_path / "big.xlsx", rows)
    assert len(both(path, max_rows=5000, max_columns=100)) == 3001
