"""Import API: upload, status, error file; bad input gives 4xx with a code, never a 500; other users get 404."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from tests.bulk.test_import import HEADER, good_rows

from kehu.bulk import services
from kehu.core.services import token_create
from kehu.customers.models import Customer

BAD = ["企业", "坏代码", "91110000000000000X", "", "", ""]


@pytest.fixture(autouse=True)
def in_request(monkeypatch):
    """The test's data lives in its transaction: run imports in the request, not in a thread."""
    monkeypatch.setattr(services, "BACKGROUND", False)


def csv_bytes(rows):
    lines = [",".join(HEADER)] + [",".join(r) for r in rows]
    return ("\n".join(lines) + "\n").encode("utf-8-sig")


def post(world, username, data):
    token = token_create(user=world.users[username], actor=None)
    return Client().post("/api/v1/imports", data=data, HTTP_AUTHORIZATION=f"Bearer {token}")


def get(world, username, path):
    token = token_create(user=world.users[username], actor=None)
    return Client().get("/api/v1" + path, HTTP_AUTHORIZATION=f"Bearer {token}")


def test_upload_status_and_error_file(world):
    r = post(world, "bj_cm", {"file": SimpleUploadedFile("a.csv", csv_bytes(good_rows(2) + [BAD])),
                              "org_code": "BJ"})
    assert r.status_code == 201, r.content
    body = r.json()
    assert (body["rows_created"], body["rows_rejected"], body["status"]) == (2, 1, "done")
    assert Customer.objects.count() == 2
    status = get(world, "bj_cm", f"/imports/{body['id']}")
    assert status.status_code == 200 and status.json()["has_error_file"] is True
    errors = get(world, "bj_cm", f"/imports/{body['id']}/errors")
    assert errors.status_code == 200
    assert "坏代码" in errors.content.decode("utf-8-sig")
    assert get(world, "sh_cm", f"/imports/{body['id']}").status_code == 404
    assert get(world, "sh_cm", f"/imports/{body['id']}/errors").status_code == 404


@pytest.mark.parametrize(
    ("data", "status", "code"),
    [
        ({"file": ("a.txt", b"hello")}, 400, "unsupported_file"),
        ({"file": ("a.csv", b"")}, 400, "empty_file"),
        ({"file": ("a.csv", "名称\n某公司\n".encode())}, 400, "missing_columns"),
        ({"file": ("a.xlsx", b"not a zip")}, 400, "unreadable_file"),
        ({"file": ("a.csv", b"x"), "mode": "merge"}, 400, None),
        ({}, 422, None),
    ],
)
def test_bad_input_is_4xx(world, data, status, code):
    form = {k: (SimpleUploadedFile(*v) if isinstance(v, tuple) else v) for k, v in data.items()}
    r = post(world, "bj_cm", form)
    assert r.status_code == status, r.content
    if code:
        assert r.json()["code"] == code


def test_auditor_may_not_import(world):
    r = post(world, "bj_auditor", {"file": SimpleUploadedFile("a.csv", csv_bytes(good_rows(1)))})
    assert r.status_code == 403
    assert get(world, "bj_cm", "/imports/999999").status_code == 404


@pytest.mark.django_db(transaction=True)
def test_upload_answers_at_once_and_the_job_can_be_polled(monkeypatch):
    """With the import in a background thread, POST answers with the queued job and GET follows it to done."""
    import time

    from tests.conftest import build_world

    monkeypatch.setattr(services, "BACKGROUND", True)
    world = build_world()
    r = post(world, "bj_cm", {"file": SimpleUploadedFile("big.csv", csv_bytes(good_rows(300) + [BAD])),
                              "org_code": "BJ"})
    assert r.status_code == 201, r.content
    assert r.json()["status"] in ("queued", "running", "done")
    deadline = time.monotonic() + 60
    while True:
        body = get(world, "bj_cm", f"/imports/{r.json()['id']}").json()
        if body["status"] in ("done", "failed") or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert (body["status"], body["rows_created"], body["rows_rejected"], body["rows_done"]) == ("done", 300, 1, 301)
    assert Customer.objects.count() == 300
