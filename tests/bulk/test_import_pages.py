"""The import page, the job page and its status JSON, the error file, resume, templates, and the customer
list's export buttons (CSV streamed, XLSX from a temporary file; masked without unmask permission; audited)."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import StreamingHttpResponse
from django.test import Client
from tests.bulk.test_import import HEADER, good_rows

from kehu.bulk import services
from kehu.bulk.exports import TEMPLATE_HEADER
from kehu.bulk.models import ImportJob, ImportStatus
from kehu.core.audit import AuditEvent
from kehu.core.exports import is_watermark
from kehu.customers.models import Customer

BAD = ["企业", "坏代码", "91110000000000000X", "", "", ""]


@pytest.fixture(autouse=True)
def in_request(monkeypatch):
    monkeypatch.setattr(services, "BACKGROUND", False)


def client_for(world, username):
    client = Client()
    client.force_login(world.users[username])
    return client


def csv_file(rows, name="a.csv"):
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(HEADER)
    writer.writerows(rows)
    return SimpleUploadedFile(name, buf.getvalue().encode("utf-8-sig"))


def test_upload_page_runs_the_import_and_shows_the_job(world):
    client = client_for(world, "bj_cm")
    page = client.get("/customers/bulk/import/")
    assert page.status_code == 200 and "导入客户" in page.content.decode()
    r = client.post("/customers/bulk/import/", {"file": csv_file(good_rows(3) + [BAD]), "mode": "upsert",
                                                 "org_code": "BJ"})
    assert r.status_code == 302
    job = ImportJob.objects.get()
    assert r.url == f"/customers/bulk/import/{job.pk}/"
    assert (job.status, job.rows_created, job.rows_rejected) == (ImportStatus.DONE, 3, 1)
    assert job.source_file == "" or not __import__("os").path.exists(job.source_file)  # upload removed when done
    html = client.get(r.url).content.decode()
    assert "下载被拒绝的行" in html and f"/customers/bulk/import/{job.pk}/errors/" in html
    state = client.get(f"/customers/bulk/import/{job.pk}/status/").json()
    assert (state["status"], state["percent"], state["rows_created"], state["has_error_file"]) == ("done", 100, 3, True)
    errors = client.get(f"/customers/bulk/import/{job.pk}/errors/").content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(errors)))
    assert rows[0][-2:] == ["错误原因", "error_reason"] and rows[1][1] == "坏代码"
    assert "invalid_identifier" in rows[1][-1] and "not a valid unified social credit code" in rows[1][-1]


def test_bad_upload_stays_on_the_page_with_the_reason(world):
    client = client_for(world, "bj_cm")
    r = client.post("/customers/bulk/import/", {"file": SimpleUploadedFile("a.txt", b"x"), "mode": "upsert",
                                                 "org_code": "BJ"})
    assert r.status_code == 400 and "只能导入 CSV 和 XLSX 文件。" in r.content.decode()
    r = client.post("/customers/bulk/import/", {"file": SimpleUploadedFile("a.csv", "名称\n某公司\n".encode()),
                                                 "mode": "upsert", "org_code": "BJ"})
    assert r.status_code == 400
    assert ImportJob.objects.count() == 0


def test_jobs_are_private_and_import_needs_create_permission(world):
    client_for(world, "bj_cm").post("/customers/bulk/import/", {"file": csv_file(good_rows(1)), "mode": "upsert",
                                                                "org_code": "BJ"})
    job = ImportJob.objects.get()
    other = client_for(world, "sh_cm")
    for path in ("", "status/", "errors/"):
        assert other.get(f"/customers/bulk/import/{job.pk}/{path}").status_code == 404
    assert client_for(world, "bj_auditor").get("/customers/bulk/import/").status_code == 403


def test_failed_job_resumes_from_its_kept_upload(world, monkeypatch):
    from kehu.bulk import customer_import

    real = customer_import.apply_rows
    calls = {"n": 0}

    def crash_once(**kw):
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("power cut")
        return real(**kw)

    monkeypatch.setattr(customer_import, "apply_rows", crash_once)
    real_param = services.get_param
    monkeypatch.setattr(services, "get_param", lambda code: 2 if code == "bulk.import_chunk_rows" else real_param(code))
    client = client_for(world, "bj_cm")
    with pytest.raises(RuntimeError):
        services.import_start(actor=world.bj_cm, target="customers", upload=csv_file(good_rows(5)),
                              file_name="r.csv", org_code="BJ")
    job = ImportJob.objects.get()
    assert job.status == ImportStatus.FAILED and Customer.objects.count() == 2
    html = client.get(f"/customers/bulk/import/{job.pk}/").content.decode()
    assert 'id="job-resume" hidden' not in html
    assert client.post(f"/customers/bulk/import/{job.pk}/resume/").status_code == 302
    job.refresh_from_db()
    assert (job.status, job.rows_created) == (ImportStatus.DONE, 5)
    assert Customer.objects.count() == 5


def test_templates_download(world):
    client = client_for(world, "bj_cm")
    r = client.get("/customers/bulk/template.csv")
    assert b"".join(r.streaming_content).decode("utf-8-sig").strip() == ",".join(TEMPLATE_HEADER)
    r = client.get("/customers/bulk/template.xlsx")
    book = openpyxl.load_workbook(io.BytesIO(b"".join(r.streaming_content)))
    assert [c.value for c in book.active[1]] == TEMPLATE_HEADER


def test_list_export_streams_csv_of_the_current_filters_masked_and_audited(world):
    person = world.individual(name="张三丰")
    for _ in range(3):
        world.enterprise()
    list_page = client_for(world, "bj_auditor").get("/customers/?kind=individual").content.decode()
    assert "/customers/bulk/export/?kind=individual&amp;format=csv" in list_page
    r = client_for(world, "bj_auditor").get("/customers/bulk/export/", {"kind": "individual", "format": "csv"})
    assert isinstance(r, StreamingHttpResponse) and r.status_code == 200
    rows = list(csv.reader(io.StringIO(b"".join(r.streaming_content).decode("utf-8-sig"))))
    assert is_watermark(rows.pop()) and rows[0][:len(TEMPLATE_HEADER)] == TEMPLATE_HEADER and len(rows) == 2
    assert rows[1][1] == "张**" and rows[1][3] != person.id_number  # the auditor may not unmask
    event = AuditEvent.objects.filter(event_code=7002).get()
    assert event.new_values == {"filters": {"kind": "individual"}, "format": "csv", "rows": 1, "masked": True}
    assert event.channel == "web"


def test_list_export_xlsx_unmasked_for_a_manager(world):
    person = world.individual(name="李小龙")
    world.enterprise(by=world.sh_cm, org="SH")  # outside bj_cm's scope
    r = client_for(world, "bj_cm").get("/customers/bulk/export/", {"format": "xlsx"})
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(r.streaming_content)), read_only=True).worksheets[0]
    rows = [list(x) for x in sheet.iter_rows(values_only=True)]
    assert is_watermark(rows.pop()) and len(rows) == 2 and rows[1][1] == "李小龙" and rows[1][3] == person.id_number
    assert AuditEvent.objects.filter(event_code=7002).get().new_values["masked"] is False


def test_large_csv_export_goes_out_in_pieces(world):
    """The CSV leaves while the customers are read: many pieces, not one body built in memory."""
    from kehu.bulk.exports import stream_csv

    for _ in range(1200):
        world.enterprise()
    pieces = list(stream_csv(actor=world.bj_cm, filters={}))
    assert len(pieces) >= 3
    assert sum(p.count(b"\n") for p in pieces) == 1201 + 1  # the rows, the header and the watermark
    assert AuditEvent.objects.filter(event_code=7002).get().new_values["rows"] == 1200


def test_export_needs_view_permission(world):
    from kehu.core import services as core_services

    nobody = core_services.user_create(username="nobody", org_code="BJ", roles=[], password="Kehu-test-2026",
                                       actor=None)
    client = Client()
    client.force_login(nobody)
    assert client.get("/customers/bulk/export/?format=csv").status_code == 403
    assert AuditEvent.objects.filter(event_code=7002).count() == 0
