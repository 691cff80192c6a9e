"""Customer import: every validation path, the three modes, encodings, XLSX, and resume after a crash."""

from __future__ import annotations

import csv
import io
import random
from pathlib import Path

import pytest

from kehu.bulk.models import ImportChunk, ImportStatus
from kehu.bulk.services import REASON_HEADERS, run_import
from kehu.core.audit import AuditEvent
from kehu.core.errors import InvalidInput
from kehu.customers.generators import make_resident_id, make_uscc
from kehu.customers.models import Customer

HEADER = ["客户类型", "客户名称", "统一社会信用代码", "身份证号", "电话", "注册资本"]


def write_csv(path, rows, encoding="utf-8-sig"):
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(HEADER)
    writer.writerows(rows)
    path.write_bytes(buf.getvalue().encode(encoding))
    return path


def good_rows(n, seed=1):
    rng = random.Random(seed)
    return [["企业", f"北京测试{i}号科技有限公司", make_uscc(rng), "", "", "1,000,000.00"] for i in range(n)]


def read_errors(path):
    """The stored error file, decrypted (it is kept encrypted under KEHU_HOME)."""
    from kehu.core.crypto import keyring

    text = keyring().decrypt_bytes(Path(path).read_bytes()).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def test_valid_rows_create_customers_with_archive_encryption(world, tmp_path):
    rng = random.Random(7)
    id_number = make_resident_id(rng)
    rows = good_rows(3) + [["个人", "张三", "", id_number, "13800138000", ""]]
    job = run_import(actor=world.bj_cm, target="customers", path=write_csv(tmp_path / "a.csv", rows),
                     org_code="BJ")
    assert (job.status, job.rows_created, job.rows_rejected) == (ImportStatus.DONE, 4, 0)
    person = Customer.objects.get(kind="individual")
    assert person.id_number == id_number and person.id_number_hash
    assert person.org_unit.code == "BJ"
    company = Customer.objects.filter(kind="enterprise").first()
    assert str(company.registered_capital_amount) == "1000000.00"
    assert company.name_pinyin
    done = AuditEvent.objects.filter(event_code=7001)
    assert done.count() == 1 and done.get().new_values["created"] == 4


@pytest.mark.parametrize(
    ("row", "code"),
    [
        (["企业", "坏代码公司", "91110000000000000X", "", "", ""], "invalid_identifier"),
        (["企业", "无代码公司", "", "", "", ""], "required"),
        (["个人", "李四", "", "110101199001011234", "", ""], "invalid_identifier"),
        (["个人", "王五", "", "", "", ""], "required"),
        (["外星人", "某某", "", "", "", ""], "invalid"),
        (["企业", "", "91110000MA00000000", "", "", ""], "required"),
        (["企业", "金额公司", "USCC", "", "", "一百万"], "invalid"),
        (["个人", "赵六", "", "IDNUM", "123", ""], "invalid"),
    ],
)
def test_each_bad_row_is_rejected_with_its_reason(world, tmp_path, row, code):
    rng = random.Random(3)
    row = [make_uscc(rng) if c == "USCC" else make_resident_id(rng) if c == "IDNUM" else c for c in row]
    job = run_import(actor=world.bj_cm, target="customers",
                     path=write_csv(tmp_path / "b.csv", good_rows(2) + [row]), org_code="BJ")
    assert (job.rows_created, job.rows_rejected) == (2, 1)
    errors = read_errors(job.error_file)
    assert errors[0] == [*HEADER, *REASON_HEADERS]
    assert errors[1][:len(HEADER)] == row
    assert code in errors[1][-1] and code in errors[1][-2]


def test_error_file_can_be_fixed_and_reimported(world, tmp_path):
    rng = random.Random(5)
    job = run_import(actor=world.bj_cm, target="customers", org_code="BJ",
                     path=write_csv(tmp_path / "c.csv", [["企业", "修正公司", "91110000000000000X", "", "", ""]]))
    fixed = read_errors(job.error_file)[1][: len(HEADER)]
    fixed[2] = make_uscc(rng)
    again = run_import(actor=world.bj_cm, target="customers", org_code="BJ",
                       path=write_csv(tmp_path / "fixed.csv", [fixed]))
    assert (again.rows_created, again.rows_rejected) == (1, 0)


def test_modes_create_update_upsert(world, tmp_path):
    rows = good_rows(2)
    first = run_import(actor=world.bj_cm, target="customers", path=write_csv(tmp_path / "m.csv", rows),
                       org_code="BJ", mode="create")
    assert first.rows_created == 2
    again = run_import(actor=world.bj_cm, target="customers", path=write_csv(tmp_path / "m2.csv", rows),
                       org_code="BJ", mode="create")
    assert (again.rows_created, again.rows_rejected) == (0, 2)
    changed = [r[:] for r in rows]
    changed[0][1] = "北京改名后科技有限公司"
    new = good_rows(1, seed=99)
    upd = run_import(actor=world.bj_cm, target="customers", path=write_csv(tmp_path / "m3.csv", changed + new),
                     org_code="BJ", mode="update")
    assert (upd.rows_created, upd.rows_updated, upd.rows_unchanged, upd.rows_rejected) == (0, 1, 1, 1)
    assert Customer.objects.filter(name="北京改名后科技有限公司").count() == 1
    up = run_import(actor=world.bj_cm, target="customers", path=write_csv(tmp_path / "m4.csv", changed + new),
                    org_code="BJ", mode="upsert")
    assert (up.rows_created, up.rows_updated, up.rows_unchanged, up.rows_rejected) == (1, 0, 2, 0)
    assert Customer.objects.count() == 3


def test_gb18030_csv(world, tmp_path):
    job = run_import(actor=world.bj_cm, target="customers", org_code="BJ",
                     path=write_csv(tmp_path / "gb.csv", good_rows(3), encoding="gb18030"))
    assert job.rows_created == 3
    assert Customer.objects.filter(name="北京测试0号科技有限公司").exists()


def test_encoding_is_checked_over_the_whole_file_in_blocks(tmp_path):
    from kehu.bulk.readers import BLOCK, encoding_of

    # a three-byte character straddles the first block boundary: still UTF-8
    text = "a" * (BLOCK - 1) + "客户\n"
    utf8 = tmp_path / "u.csv"
    utf8.write_bytes(text.encode("utf-8"))
    assert encoding_of(utf8) == "utf-8-sig"
    # GB18030 bytes only after the first block: the whole file is GB18030
    gb = tmp_path / "g.csv"
    gb.write_bytes(("a" * (BLOCK + 10) + "客户\n").encode("gb18030"))
    assert encoding_of(gb) == "gb18030"


def test_xlsx_with_merged_header_and_blank_lines(world, tmp_path):
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["客户类型", "客户 名称", "统一社会信用代码", None])
    sheet.merge_cells("C1:D1")
    for i, row in enumerate(good_rows(3)):
        sheet.append(row[:3])
        if i == 0:
            sheet.append([None, None, None])
    path = tmp_path / "x.xlsx"
    book.save(path)
    job = run_import(actor=world.bj_cm, target="customers", path=path, org_code="BJ")
    assert (job.rows_created, job.rows_rejected) == (3, 0)


def test_missing_required_column_and_empty_file(world, tmp_path):
    path = tmp_path / "h.csv"
    path.write_text("名称\n某公司\n", encoding="utf-8")
    with pytest.raises(InvalidInput):
        run_import(actor=world.bj_cm, target="customers", path=path, org_code="BJ")
    empty = tmp_path / "e.csv"
    empty.write_bytes(b"")
    with pytest.raises(InvalidInput):
        run_import(actor=world.bj_cm, target="customers", path=empty, org_code="BJ")


def test_out_of_scope_org_is_refused_per_row(world, tmp_path):
    job = run_import(actor=world.sh_cm, target="customers", path=write_csv(tmp_path / "s.csv", good_rows(2)),
                     org_code="BJ")
    assert (job.rows_created, job.rows_rejected) == (0, 2)


@pytest.mark.django_db(transaction=True)
def test_crash_mid_import_then_rerun_each_row_once(tmp_path, monkeypatch):
    from tests.conftest import build_world

    from kehu.bulk import customer_import

    world = build_world()
    rows = good_rows(25, seed=11) + [["企业", "坏", "91110000000000000X", "", "", ""]]
    path = write_csv(tmp_path / "k.csv", rows)
    real = customer_import.apply_rows
    calls = {"n": 0}

    def crashing(**kw):
        calls["n"] += 1
        if calls["n"] == 4:
            raise RuntimeError("power cut")
        return real(**kw)

    monkeypatch.setattr(customer_import, "apply_rows", crashing)
    with pytest.raises(RuntimeError):
        run_import(actor=world.bj_cm, target="customers", path=path, org_code="BJ", chunk_rows=5)
    assert Customer.objects.count() == 15  # three chunks of five committed with their ledger rows
    assert ImportChunk.objects.count() == 3
    monkeypatch.setattr(customer_import, "apply_rows", real)
    job = run_import(actor=world.bj_cm, target="customers", path=path, org_code="BJ", chunk_rows=5)
    assert Customer.objects.count() == 25
    assert (job.rows_total, job.rows_created, job.rows_rejected) == (26, 25, 1)
    assert len(read_errors(job.error_file)) == 2


def test_example_file_imports_with_its_one_bad_row(world):
    from pathlib import Path

    import kehu.bulk

    path = Path(kehu.bulk.__file__).parent / "examples" / "customers-example.csv"
    job = run_import(actor=world.bj_cm, target="customers", path=path, org_code="BJ")
    assert (job.rows_created, job.rows_rejected) == (4, 1)
    assert read_errors(job.error_file)[1][1] == "错误示例有限公司"
