"""Issue 11, defects 3 (zip bomb, huge workbook) and 4 (personal data of rejected rows in clear, file modes)."""

from __future__ import annotations

import io
import stat
import time
import zipfile
from pathlib import Path

import openpyxl
import pytest
from django.conf import settings
from django.db import connection
from django.test import Client

from kehu.bulk import services
from kehu.bulk.models import ImportJob, ImportRowError
from kehu.core.services import token_create

HEADER = "客户类型,客户名称,统一社会信用代码,身份证号,电话,邮箱,地址"
ID_NUMBER = "11010519491231002X"
PHONE = "13912345678"


@pytest.fixture(autouse=True)
def in_request(monkeypatch):
    monkeypatch.setattr(services, "BACKGROUND", False)


def _post(world, username, name, data):
    from django.core.files.uploadedfile import SimpleUploadedFile

    token = token_create(user=world.users[username], actor=None)
    return Client().post("/api/v1/imports", {"file": SimpleUploadedFile(name, data), "org_code": "BJ"},
                         HTTP_AUTHORIZATION=f"Bearer {token}")


def _xlsx_with_sheet(sheet_xml: bytes) -> bytes:
    """A real workbook whose first sheet's XML is replaced by ``sheet_xml`` (deflated)."""
    book = openpyxl.Workbook()
    book.active.append(["客户类型", "客户名称"])
    plain = io.BytesIO()
    book.save(plain)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(plain.getvalue())) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = sheet_xml if item.filename == "xl/worksheets/sheet1.xml" else src.read(item.filename)
            dst.writestr(item.filename, data)
    return out.getvalue()


SHEET_HEAD = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="http://schemas.openxml'
              b'formats.org/spreadsheetml/2006/main">')


# ----------------------------------------------------------------------------- defect 3


def test_a_zip_bomb_is_refused_from_the_zip_directory_in_the_request(world):
    row = b'<row><c t="inlineStr"><is><t>' + b"A" * 1000 + b"</t></is></c></row>"
    bomb = _xlsx_with_sheet(SHEET_HEAD + b"<sheetData>" + row * 40_000 + b"</sheetData></worksheet>")
    assert len(bomb) < 400_000  # about 40 MB once inflated
    started = time.monotonic()
    r = _post(world, "bj_cm", "bomb.xlsx", bomb)
    assert r.status_code == 400 and r.json()["code"] == "unsafe_file", r.content
    assert time.monotonic() - started < 10
    assert not ImportJob.objects.exists()
    assert not list((Path(settings.KEHU_HOME) / "imports" / "uploads").glob("upload-*"))  # nothing left behind


def test_a_huge_declared_sheet_is_refused_before_reading(world):
    sheet = SHEET_HEAD + b'<dimension ref="A1:M5000000"/><sheetData></sheetData></worksheet>'
    r = _post(world, "bj_cm", "huge.xlsx", _xlsx_with_sheet(sheet))
    assert r.status_code == 400 and r.json()["code"] == "too_many_rows", r.content
    sheet = SHEET_HEAD + b'<dimension ref="A1:ZZ10"/><sheetData></sheetData></worksheet>'
    r = _post(world, "bj_cm", "wide.xlsx", _xlsx_with_sheet(sheet))
    assert r.status_code == 400 and r.json()["code"] == "too_many_columns", r.content


def test_entity_expansion_is_refused(world):
    sheet = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]>'
             b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row><c t="inl'
             b'ineStr"><is><t>&lol2;</t></is></c></row></sheetData></worksheet>')
    r = _post(world, "bj_cm", "lol.xlsx", _xlsx_with_sheet(sheet))
    assert r.status_code == 400 and r.json()["code"] in ("unsafe_file", "unreadable_file"), r.content
    import openpyxl.xml

    assert openpyxl.xml.DEFUSEDXML  # openpyxl itself parses with defusedxml


def test_too_many_columns_in_a_csv(world):
    wide = ",".join(f"列{i}" for i in range(150))
    r = _post(world, "bj_cm", "wide.csv", f"{HEADER},{wide}\n".encode())
    assert r.status_code == 400 and r.json()["code"] == "too_many_columns", r.content


def test_the_upload_is_encrypted_at_rest_and_gone_when_the_job_ends(world, monkeypatch):
    seen = {}
    real = services.run_import

    def spy(**kwargs):
        job = kwargs["job"]
        sealed = Path(job.source_file)
        seen["sealed"] = sealed.read_bytes()
        seen["mode"] = stat.S_IMODE(sealed.stat().st_mode)
        return real(**kwargs)

    monkeypatch.setattr(services, "run_import", spy)
    body = f"{HEADER}\n个人,王五,,{ID_NUMBER},{PHONE},,北京市朝阳区建国路88号\n".encode("utf-8-sig")
    r = _post(world, "bj_cm", "p.csv", body)
    assert r.status_code == 201, r.content
    assert seen["sealed"].startswith(b"KEHUS1\n") and PHONE.encode() not in seen["sealed"]
    assert seen["mode"] == 0o600
    uploads = Path(settings.KEHU_HOME) / "imports" / "uploads"
    assert not [p for p in uploads.iterdir() if f"-{r.json()['id']}" in p.name]


# ----------------------------------------------------------------------------- defect 4


def test_rejected_rows_are_encrypted_and_the_error_file_is_masked(world):
    bad = f"个人,王五,,{ID_NUMBER[:-1]}0,{PHONE},bad-mail,北京市朝阳区建国路88号"
    r = _post(world, "bj_cm", "bad.csv", f"{HEADER}\n{bad}\n".encode("utf-8-sig"))
    assert r.status_code == 201 and r.json()["rows_rejected"] == 1, r.content
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {connection.ops.quote_name('values')} FROM bulk_importrowerror")
        (raw,) = cursor.fetchone()
    assert str(raw).startswith("v1:") and PHONE not in str(raw)
    assert ImportRowError.objects.get().values[4] == PHONE  # the code still sees the cells
    job = ImportJob.objects.get()
    stored = Path(job.error_file)
    assert PHONE.encode() not in stored.read_bytes() and stat.S_IMODE(stored.stat().st_mode) == 0o600
    assert stat.S_IMODE(stored.parent.stat().st_mode) == 0o700
    # The owner may unmask: the file is readable in clear, with the watermark.
    client = Client()
    client.force_login(world.bj_cm)
    text = client.get(f"/customers/bulk/import/{job.pk}/errors/").content.decode("utf-8-sig")
    assert PHONE in text and text.rstrip().splitlines()[-1].startswith("# 导出人 bj_cm")
    # Someone who may not unmask sees it masked, as on every page.
    masked = services.error_download(job=job, actor=world.bj_auditor).decode("utf-8-sig")
    assert PHONE not in masked and "139****5678" in masked and ID_NUMBER[:-1] not in masked
    assert "王*" in masked and "北京市朝阳区建国路88号" not in masked


def test_files_kehu_writes_under_its_home_are_private(world, tmp_path):
    from kehu.bulk.exports import export_customers
    from kehu.customers import services as customer_services

    started = time.time() - 1
    c = world.enterprise()
    customer_services.document_upload(actor=world.bj_cm, customer_id=c.pk, kind="other", title="t",
                                      filename="a.txt", content_type="text/plain", data=b"x")
    _post(world, "bj_cm", "bad.csv", f"{HEADER}\n个人,王五,,1,{PHONE},,\n".encode("utf-8-sig"))
    client = Client()
    client.force_login(world.bj_cm)
    b"".join(client.get("/customers/bulk/export/", {"format": "xlsx"}).streaming_content)
    export_customers(actor=world.bj_cm, path=Path(settings.KEHU_HOME) / "tmp" / "e.csv", fmt="csv")
    home = Path(settings.KEHU_HOME)
    checked = 0
    for path in [home / "files", home / "imports", home / "tmp"]:
        assert stat.S_IMODE(path.stat().st_mode) == 0o700, path
        for item in path.rglob("*"):
            if item.stat().st_mtime < started:
                continue  # left by an older run
            mode = stat.S_IMODE(item.stat().st_mode)
            assert mode == (0o700 if item.is_dir() else 0o600), (item, oct(mode))
            checked += 1
    assert checked >= 3
