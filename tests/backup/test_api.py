"""The backup REST API as a client calls it: the system administrator makes a backup and reads the run log, the
state of the last good backup against the 26-hour limit (D-8) and the drills; the auditor reads; nobody else."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from tests._fixtures.api import ApiClient

from kehu.backup.events import BackupEvent
from kehu.backup.models import BackupRun
from kehu.core.models import AuditEvent

pytestmark = pytest.mark.django_db(transaction=True)


def test_sysadmin_makes_a_backup_and_watches_its_age_and_the_drills(tworld, tmp_path, monkeypatch):
    monkeypatch.setenv("KEHU_BACKUP_DIR", str(tmp_path / "sets"))
    api = ApiClient(tworld)
    tworld.individual()

    status = api.get("admin", "/backup/status").json()
    assert status["last_good"] is None and status["stale"] and status["max_age_hours"] == 26
    assert status["running"] is None and status["last_drill"] is None

    made = api.post("admin", "/backup/runs", {"kind": "manual"})
    assert made.status_code == 201, made.content
    run = made.json()
    assert run["state"] == "done" and run["kind"] == "manual" and run["rows"] > 0
    assert run["data_key_ids"] and run["backup_key_id"]
    assert (tmp_path / "sets" / run["file"]).is_file() and "/" not in run["file"]
    assert AuditEvent.objects.filter(event_code=BackupEvent.BACKUP_CREATED, actor=tworld.admin).count() == 1

    fresh = api.get("admin", "/backup/status").json()
    assert fresh["last_good"]["id"] == run["id"] and not fresh["stale"] and fresh["age_hours"] < 1
    assert [r["id"] for r in api.get("admin", "/backup/runs").json()] == [run["id"]]
    assert api.get("admin", "/backup/runs?state=failed").json() == []

    # A drill on request runs as a background job (inline in tests); the job's result names the drill row.
    started = api.post("admin", "/backup/drills")
    assert started.status_code == 202, started.content
    assert started.json()["kind"] == "backup.restore_drill"
    job = api.get("admin", f"/jobs/{started.json()['id']}").json()
    assert job["status"] == "done" and job["result"]["ok"] is True, job
    drills = api.get("admin", "/backup/drills").json()
    assert [(d["id"], d["backup_id"], d["ok"]) for d in drills] == [(job["result"]["drill"], run["id"], True)]
    assert AuditEvent.objects.filter(event_code=BackupEvent.RESTORE_DRILL, actor=tworld.admin).count() == 1
    assert api.get("admin", "/backup/status").json()["last_drill"]["ok"]

    BackupRun.objects.filter(pk=run["id"]).update(finished_at=timezone.now() - timedelta(hours=27))
    old = api.get("admin", "/backup/status").json()
    assert old["stale"] and 26.9 < old["age_hours"] < 27.1

    # A backup still running: a second one is refused until it ends.
    BackupRun.objects.create(kind="manual", engine="sqlite", started_at=timezone.now() - timedelta(minutes=5))
    busy = api.post("admin", "/backup/runs", {})
    assert busy.status_code == 409 and busy.json()["code"] == "backup_running"
    assert api.get("admin", "/backup/status").json()["running"]["state"] == "running"
    assert BackupRun.objects.filter(state="done").count() == 1
    assert len(list((tmp_path / "sets").glob("*.kbk"))) == 1


def test_only_the_sysadmin_makes_backups_and_the_auditor_reads(tworld, tmp_path, monkeypatch):
    monkeypatch.setenv("KEHU_BACKUP_DIR", str(tmp_path / "sets"))
    api = ApiClient(tworld)
    for path in ("/backup/runs", "/backup/status", "/backup/drills"):
        assert api.get("hq_auditor", path).status_code == 200
        refused = api.get("bj_cm", path)
        assert refused.status_code == 403 and refused.json()["code"] == "forbidden"
    for username in ("hq_auditor", "bj_cm", "bj_office"):
        refused = api.post(username, "/backup/runs", {"kind": "manual"})
        assert refused.status_code == 403, username
        assert api.post(username, "/backup/drills").status_code == 403, username
        assert api.post(username, "/jobs", {"kind": "backup.restore_drill"}).status_code == 403, username
    assert api.post("admin", "/backup/runs", {"kind": "full"}).status_code == 422
    assert api.get("admin", "/backup/runs?limit=0").status_code == 422
    assert api.get(None, "/backup/status").status_code == 401
    assert not BackupRun.objects.exists()
    assert not Path(tmp_path / "sets").exists() or not any((tmp_path / "sets").iterdir())
