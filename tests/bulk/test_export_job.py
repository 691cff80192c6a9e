"""The customer export as a background job (issue 17): submitted through the API or the page, checked before it
is queued, written by the job in the requester's scope, kept sealed and downloaded once by its requester."""

from __future__ import annotations

import csv
import io
import os
from datetime import date, timedelta

import openpyxl
import pytest
from django.test import Client
from django.utils import timezone
from tests._fixtures.api import ApiClient

from kehu.bulk import jobs
from kehu.core.audit import AuditEvent
from kehu.core.exports import is_watermark
from kehu.core.models import Job, RuleParameter


@pytest.fixture
def api(world):
    return ApiClient(world)


def rows_of_csv(body: bytes) -> list[list[str]]:
    return [r for r in csv.reader(io.StringIO(body.decode("utf-8-sig"))) if r and not is_watermark(r)]


def submit(api, user, params):
    return api.post(user, "/jobs", {"kind": "bulk.export", "params": params})


def download(api, user, job_id):
    return api.get(user, f"/customers/exports/{job_id}/file")


def body_of(response) -> bytes:
    return b"".join(response.streaming_content)


def test_an_api_export_is_made_in_the_background_and_downloaded_once(world, api):
    person = world.individual(name="张三丰")
    world.enterprise(by=world.sh_cm, org="SH")  # another branch: not in bj_cm's export
    submitted = submit(api, "bj_cm", {"format": "csv"})
    assert submitted.status_code == 202, submitted.content
    job = submitted.json()
    assert job["status"] == "done" and job["result"]["rows"] == 1
    first = download(api, "bj_cm", job["id"])
    assert first.status_code == 200 and first["Content-Disposition"].startswith("attachment")
    rows = rows_of_csv(body_of(first))
    assert len(rows) == 2 and rows[1][1] == "张三丰" and rows[1][3] == person.id_number
    again = download(api, "bj_cm", job["id"])
    assert again.status_code == 409 and again.json()["code"] == "export_gone"
    made = AuditEvent.objects.filter(event_code=7002).get()
    assert made.channel == "job" and made.new_values["rows"] == 1
    assert AuditEvent.objects.filter(event_code=7006, object_id=str(job["id"])).count() == 1
    # nothing in clear stays on the server: only sealed files, and this one is gone
    assert not list(jobs.export_dir().glob(f"export-{job['id']}-*"))


def test_the_file_is_its_requesters_alone(world, api):
    world.individual()
    job = submit(api, "bj_cm", {"format": "csv"}).json()
    for other in ("sh_cm", "admin", "bj_auditor"):
        refused = download(api, other, job["id"])
        assert refused.status_code == 404, other
    assert download(api, "bj_cm", job["id"]).status_code == 200


def test_an_auditors_export_is_masked(world, api):
    person = world.individual(name="李小龙")
    job = submit(api, "bj_auditor", {"format": "csv", "filters": {"kind": "individual"}}).json()
    row = rows_of_csv(body_of(download(api, "bj_auditor", job["id"])))[1]
    assert row[1] != "李小龙" and row[3] != person.id_number


@pytest.mark.parametrize("params, field", [
    ({"format": "pdf"}, "format"),
    ({"filters": {"owner": "x"}}, "filters"),
    ({"filters": ["q"]}, "filters"),
    ({"filters": {"q": "x" * 101}}, "filters"),
    ({"request": "7"}, "request"),
    ({"request": True}, "request"),
])
def test_bad_parameters_are_refused_before_anything_is_queued(world, api, params, field):
    refused = submit(api, "bj_cm", params)
    assert refused.status_code == 400 and refused.json()["field"] == field
    assert not Job.objects.filter(kind="bulk.export").exists()


def approval_limit(rows: int) -> None:
    RuleParameter.objects.create(code="bulk.export_approval_rows", value=rows, unit="rows", provenance="proposed",
                                 source_ref="test", effective_from=date(2020, 1, 1), status="approved")


def test_above_the_approval_limit_the_export_needs_an_approved_request(world, api):
    approval_limit(1)
    world.enterprise()
    world.enterprise()
    refused = submit(api, "bj_auditor", {"format": "csv"})
    assert refused.status_code == 409 and refused.json()["code"] == "export_needs_approval"
    assert not Job.objects.filter(kind="bulk.export").exists()


def test_personal_data_in_clear_above_the_threshold_needs_the_second_factor_which_a_token_never_has(world, api):
    for _n in range(3):
        world.individual()
    RuleParameter.objects.create(code="sec.mfa_export_threshold", value=2, unit="rows", provenance="proposed",
                                 source_ref="test", effective_from=date(2020, 1, 1), status="approved")
    refused = submit(api, "bj_cm", {"format": "csv"})  # a customer manager may unmask
    assert refused.status_code == 403
    assert not Job.objects.filter(kind="bulk.export").exists()


def test_an_export_not_downloaded_in_time_is_gone(world, api):
    world.individual()
    job = submit(api, "bj_cm", {"format": "csv"}).json()
    Job.objects.filter(pk=job["id"]).update(finished_at=timezone.now() - timedelta(hours=25))
    late = download(api, "bj_cm", job["id"])
    assert late.status_code == 409 and late.json()["code"] == "export_gone"
    assert not list(jobs.export_dir().glob(f"export-{job['id']}-*"))


def test_the_purge_removes_old_files_only(world, settings):
    old = jobs.export_dir() / "export-0-old.sealed"
    new = jobs.export_dir() / "export-0-new.sealed"
    old.write_bytes(b"x")
    new.write_bytes(b"x")
    then = (timezone.now() - timedelta(hours=30)).timestamp()
    os.utime(old, (then, then))
    try:
        assert jobs.exports_purge() >= 1
        assert not old.exists() and new.exists()
    finally:
        new.unlink(missing_ok=True)


def test_the_page_starts_an_export_and_offers_it_once(world):
    world.enterprise(name="后台导出有限公司")
    client = Client()
    client.force_login(world.bj_cm)
    started = client.post("/customers/bulk/exports/background/", {"format": "xlsx", "kind": "enterprise"})
    assert started.status_code == 302
    page = client.get("/customers/bulk/exports/")
    job = Job.objects.get(kind="bulk.export")
    html = page.content.decode()
    assert f'id="download-job-{job.pk}"' in html
    got = client.get(f"/customers/bulk/exports/background/{job.pk}/")
    assert got.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(got.streaming_content)), read_only=True).active
    names = [row[1] for row in sheet.iter_rows(values_only=True) if len(row) > 1]
    assert "后台导出有限公司" in names
    assert f'id="download-job-{job.pk}"' not in client.get("/customers/bulk/exports/").content.decode()
    gone = client.get(f"/customers/bulk/exports/background/{job.pk}/")
    assert gone.status_code == 302  # back to the page, with the message that it was downloaded already


def test_the_customer_list_offers_the_background_export(world):
    client = Client()
    client.force_login(world.bj_cm)
    html = client.get("/customers/?kind=enterprise&us=x").content.decode()
    assert 'id="export-background"' in html and 'name="kind" value="enterprise"' in html
    assert 'name="us"' not in html  # only the list's filters are carried, matched by name, not as a substring


def test_two_downloads_at_the_same_moment_get_the_file_once(tworld, monkeypatch):
    """Real threads: the file is handed out once however the requests interleave. Decrypting is made slow, so
    that every thread is past its own look at the file before the first one has finished with it."""
    import threading
    import time

    from django.db import connection

    from kehu.core.errors import Conflict

    tworld.individual()
    job = jobs.export_submit(actor=tworld.bj_cm, params={"format": "csv"}, verified=False)
    unseal = jobs.unseal_file

    def slow_unseal(src, dst):
        time.sleep(0.3)
        unseal(src, dst)

    monkeypatch.setattr(jobs, "unseal_file", slow_unseal)
    barrier = threading.Barrier(4)
    got, gone, errors = [], [], []

    def download_it() -> None:
        try:
            barrier.wait()
            path, _name = jobs.export_file(actor=tworld.bj_cm, job_id=job.pk)
            got.append(path.read_bytes())
            path.unlink()
        except Conflict as exc:
            gone.append(exc.code)
        except Exception as exc:  # noqa: BLE001 (reported below)
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=download_it) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] and len(got) == 1 and gone == ["export_gone"] * 3
    assert AuditEvent.objects.filter(event_code=7006, object_id=str(job.pk)).count() == 1
