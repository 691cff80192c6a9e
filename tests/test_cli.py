"""The real ``kehu`` console script, run in subprocesses against a temporary SQLite KEHU_HOME.

Whatever database the suite itself runs on, these subprocesses always get their own SQLite file, so
they never touch the test database.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.contrib.auth.hashers import check_password

from kehu.conf import new_audit_key, new_data_key_item, parse_data_keys

BIN = Path(sys.executable).parent / "kehu"
COMMAND = [str(BIN)] if BIN.exists() else [sys.executable, "-m", "kehu.cli"]
PASSWORD = "Kehu-cli-2026"


def kehu_env(home: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KEHU_") and k != "DJANGO_SETTINGS_MODULE"}
    env.update(
        KEHU_HOME=str(home),
        KEHU_SECRET_KEY="cli-test-secret-key-0123456789abcdefghijklmnop",
        KEHU_DATA_KEYS=KEYS,
        KEHU_AUDIT_KEY=AUDIT_KEY,
        LANG="C.UTF-8",
        LC_ALL="C.UTF-8",
        PYTHONIOENCODING="utf-8",
    )
    env.update(extra)
    return {k: v for k, v in env.items() if v is not None}


KEYS = new_data_key_item("k1")
AUDIT_KEY = new_audit_key()


def kehu(home: Path, *args: str, stdin: str | None = None, env: dict | None = None,
         timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*COMMAND, *args], input=stdin, capture_output=True, text=True, cwd=home, timeout=timeout,
        env=env if env is not None else kehu_env(home),
    )


def ok(result: subprocess.CompletedProcess) -> subprocess.CompletedProcess:
    assert result.returncode == 0, f"exit {result.returncode}\nstdout:\n{result.stdout}\nstderr:\n{result.stderr}"
    return result


def db_rows(home: Path, sql: str, params=()) -> list[tuple]:
    with sqlite3.connect(home / "kehu.sqlite3") as conn:
        return conn.execute(sql, params).fetchall()


@pytest.fixture(scope="module")
def home(tmp_path_factory, _initialised_home_template) -> Path:
    """A KEHU_HOME with an initialised database (a copy of the session's one ``kehu init``; see
    tests/conftest.py) and the org units HQ > BJ."""
    path = tmp_path_factory.mktemp("kehu-home")
    shutil.copytree(_initialised_home_template, path, dirs_exist_ok=True)
    ok(kehu(path, "org", "create", "HQ", "集团总部"))
    ok(kehu(path, "org", "create", "BJ", "北京分公司", "--parent", "HQ"))
    return path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http(url: str, token: str | None = None) -> tuple[int, bytes]:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"} if token else {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


# ----------------------------------------------------------------------------- help and usage


@pytest.mark.parametrize(
    "path",
    [[], ["init"], ["demo"], ["serve"], ["org", "create"], ["user", "create"], ["token", "create"],
     ["audit", "verify"], ["keys", "generate"], ["keys", "reencrypt"]],
)
def test_every_command_has_help(tmp_path, path):
    result = ok(kehu(tmp_path, *path, "--help"))
    assert result.stdout.startswith("usage: kehu" + "".join(" " + p for p in path))


def test_usage_error_exits_2_with_the_missing_argument(tmp_path):
    result = kehu(tmp_path, "user", "create", "bob", "--role", "auditor")
    assert result.returncode == 2
    assert "--org" in result.stderr and "required" in result.stderr


def test_bad_port_is_a_usage_error(tmp_path):
    result = kehu(tmp_path, "serve", "--port", "70000")
    assert result.returncode == 2
    assert "port must be 1-65535" in result.stderr


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("KEHU_DEBUG", "maybe", "KEHU_DEBUG must be a boolean"),
        ("KEHU_LOG_LEVEL", "loud", "KEHU_LOG_LEVEL must be DEBUG, INFO, WARNING, ERROR or CRITICAL"),
        ("KEHU_DATA_KEYS", "k1:notbase64!", "KEHU_DATA_KEYS key 'k1' is not valid base64"),
        ("KEHU_DATABASE_URL", "mysql://kehu@localhost/kehu", "KEHU_DATABASE_URL must point to SQLite or PostgreSQL"),
        ("KEHU_SESSION_IDLE_MINUTES", "0", "KEHU_SESSION_IDLE_MINUTES must be at least 1"),
        ("KEHU_DB_CONN_MAX_AGE", "-1", "KEHU_DB_CONN_MAX_AGE must be at least 0"),
        ("KEHU_DB_CONN_MAX_AGE", "forever", "KEHU_DB_CONN_MAX_AGE must be an integer"),
    ],
)
def test_configuration_error_prints_cleanly(tmp_path, name, value, message):
    result = kehu(tmp_path, "init", env=kehu_env(tmp_path, **{name: value}))
    assert result.returncode == 1
    assert "kehu: configuration error: " + message in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "kehu.sqlite3").exists()


def test_missing_secret_key_outside_demo_mode_is_refused(tmp_path):
    result = kehu(tmp_path, "init", env=kehu_env(tmp_path, KEHU_SECRET_KEY=None))
    assert result.returncode == 1
    assert "KEHU_SECRET_KEY is not set" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "kehu.sqlite3").exists()


# ----------------------------------------------------------------------------- org, user, token


def test_init_twice_is_harmless(home):
    ok(kehu(home, "init", "-v", "0"))
    assert db_rows(home, "SELECT code, path FROM core_orgunit ORDER BY id") == [("HQ", "/HQ/"), ("BJ", "/HQ/BJ/")]


def test_duplicate_org_unit_is_refused(home):
    result = kehu(home, "org", "create", "BJ", "又一个北京")
    assert result.returncode == 1
    assert "Org unit BJ already exists" in result.stderr
    assert db_rows(home, "SELECT COUNT(*) FROM core_orgunit WHERE code = 'BJ'") == [(1,)]


def test_user_create_reads_the_password_from_stdin(home):
    ok(kehu(home, "user", "create", "alice", "--org", "BJ", "--role", "customer_manager",
            "--display-name", "王丽", "--password-stdin", stdin=PASSWORD + "\n"))
    [(encoded, display, staff)] = db_rows(
        home, "SELECT password, display_name, is_staff FROM core_user WHERE username = 'alice'"
    )
    assert check_password(PASSWORD, encoded)
    assert not check_password(PASSWORD + "x", encoded)
    assert (display, staff) == ("王丽", 0)
    assert db_rows(home, "SELECT r.role, o.code FROM core_roleassignment r JOIN core_orgunit o ON o.id = r.org_unit_id "
                         "JOIN core_user u ON u.id = r.user_id WHERE u.username = 'alice'") == [("customer_manager", "BJ")]


def test_reviewer_gets_one_grant_per_department(home):
    ok(kehu(home, "user", "create", "rev", "--org", "BJ", "--role", "dept_reviewer",
            "--department", "finance", "--department", "audit"))
    departments = db_rows(home, "SELECT r.department FROM core_roleassignment r JOIN core_user u ON u.id = r.user_id "
                                "WHERE u.username = 'rev' ORDER BY r.department")
    assert departments == [("audit",), ("finance",)]


def audit_count(home: Path) -> int:
    return db_rows(home, "SELECT COUNT(*) FROM core_auditevent")[0][0]


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (["--role", "wizard"], None, "Unknown role wizard"),
        (["--role", "auditor", "--org", "NOPE"], None, "Org unit NOPE does not exist"),
        (["--role", "auditor", "--password-stdin"], "abc\n", "This password is too short"),
        (["--role", "auditor", "--password-stdin"], "", "No password on standard input"),
        # The first grant succeeds and the second fails: the whole command must roll back.
        (["--role", "dept_reviewer", "--department", "finance", "--department", "marketing"], None,
         "department"),
    ],
)
def test_refused_user_create_leaves_nothing_behind(home, args, stdin, message):
    before = audit_count(home)
    if "--org" not in args:
        args = [*args, "--org", "BJ"]
    result = kehu(home, "user", "create", "bob", *args, stdin=stdin)
    assert result.returncode == 1
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert db_rows(home, "SELECT COUNT(*) FROM core_user WHERE username = 'bob'") == [(0,)]
    assert audit_count(home) == before


def test_token_create_prints_a_token_that_the_api_accepts(home):
    ok(kehu(home, "user", "create", "carol", "--org", "BJ", "--role", "auditor"))
    result = ok(kehu(home, "token", "create", "carol", "--name", "reporting", "--days", "30"))
    token = result.stdout.strip()
    assert result.stdout == token + "\n" and token.startswith("kehu_")

    port = free_port()
    server = subprocess.Popen([*COMMAND, "serve", "--port", str(port), "--workers", "1"], cwd=home,
                              env=kehu_env(home), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 120  # the server starts its worker too; CI machines may be busy
        while True:
            try:
                status, body = http(base + "/healthz")
                break
            except OSError:
                assert server.poll() is None, server.stdout.read()
                assert time.monotonic() < deadline, "kehu serve did not answer"
                time.sleep(0.2)
        assert status == 200 and json.loads(body)["status"] == "ok"
        status, body = http(base + "/api/v1/customers", token)
        assert status == 200, body
        assert "items" in json.loads(body)
        assert http(base + "/api/v1/customers")[0] == 401
        assert http(base + "/api/v1/customers", token[:-2] + "xx")[0] == 401
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_token_for_unknown_user_is_refused(home):
    result = kehu(home, "token", "create", "nobody")
    assert result.returncode == 1
    assert "User nobody does not exist" in result.stderr
    assert result.stdout == ""


def test_manage_passes_through_to_django(home):
    result = ok(kehu(home, "manage", "check"))
    assert "System check identified no issues" in result.stdout


# ----------------------------------------------------------------------------- audit


def test_audit_verify_detects_a_row_edited_with_sql(kehu_home):
    ok(kehu(kehu_home, "org", "create", "HQ", "总部"))
    ok(kehu(kehu_home, "org", "create", "SH", "上海分公司", "--parent", "HQ"))
    result = ok(kehu(kehu_home, "audit", "verify"))
    assert "OK: the audit chain of 2 rows is intact." in result.stdout

    first = db_rows(kehu_home, "SELECT MIN(id) FROM core_auditevent")[0][0]
    with sqlite3.connect(kehu_home / "kehu.sqlite3") as conn:
        conn.execute("UPDATE core_auditevent SET reason = 'nothing happened' WHERE id = ?", [first])
    result = kehu(kehu_home, "audit", "verify")
    assert result.returncode == 1
    assert f"Row {first}: content changed: The row's content does not match its hash." in result.stdout
    assert "FAILED" in result.stdout


def test_audit_verify_reports_a_truncation_against_the_last_checkpoint(kehu_home):
    for code in ("HQ", "SH", "GZ"):
        ok(kehu(kehu_home, "org", "create", code, code, *(["--parent", "HQ"] if code != "HQ" else [])))
    checkpoints = kehu_home.parent / (kehu_home.name + "-checkpoints")
    env = kehu_env(kehu_home, KEHU_AUDIT_CHECKPOINT_DIR=str(checkpoints))
    result = ok(kehu(kehu_home, "audit", "checkpoint", env=env))
    assert "row 3, 3 rows" in result.stdout
    assert "Checked against the checkpoint" in ok(kehu(kehu_home, "audit", "verify", env=env)).stdout
    # A database writer drops the newest row and fixes the chain head to match.
    with sqlite3.connect(kehu_home / "kehu.sqlite3") as conn:
        conn.execute("DELETE FROM core_auditevent WHERE id = 3")
        conn.execute("UPDATE core_auditchainhead SET last_id = 2, count = 2, "
                     "last_hash = (SELECT row_hash FROM core_auditevent WHERE id = 2)")
    result = kehu(kehu_home, "audit", "verify", env=env)
    assert result.returncode == 1
    assert "Row 3: truncated" in result.stdout
    # Without the audit key nothing can be written, and the operator is told why.
    result = kehu(kehu_home, "org", "create", "BJ", "北京", "--parent", "HQ",
                  env=kehu_env(kehu_home, KEHU_AUDIT_KEY=None))
    assert result.returncode == 1 and "KEHU_AUDIT_KEY is not set" in result.stderr


def test_user_create_refuses_incompatible_roles(home):
    result = kehu(home, "user", "create", "mallory", "--org", "HQ", "--role", "sysadmin", "--role",
                  "customer_manager", "--role", "auditor")
    assert result.returncode == 1
    assert "cannot be held by one person" in result.stderr
    assert db_rows(home, "SELECT COUNT(*) FROM core_user WHERE username = 'mallory'") == [(0,)]


def test_serve_refuses_keys_found_only_in_kehu_home(kehu_home):
    (kehu_home / "data-keys").write_text(KEYS + "\n")
    (kehu_home / "audit-key").write_text(AUDIT_KEY + "\n")
    env = kehu_env(kehu_home, KEHU_DATA_KEYS=None, KEHU_AUDIT_KEY=None, KEHU_DEBUG="0")
    result = kehu(kehu_home, "serve", "--port", str(free_port()), env=env)
    assert result.returncode == 1
    assert "kehu will not start without its keys: set KEHU_DATA_KEYS and KEHU_AUDIT_KEY" in result.stderr
    assert "found only in KEHU_HOME (data-keys, audit-key)" in result.stderr
    # A key file inside KEHU_HOME named by the variable is refused as well.
    inside = kehu_env(kehu_home, KEHU_DATA_KEYS=None, KEHU_DATA_KEYS_FILE=str(kehu_home / "data-keys"))
    result = kehu(kehu_home, "serve", "--port", str(free_port()), env=inside)
    assert result.returncode == 1 and "inside KEHU_HOME" in result.stderr


def test_keys_from_files_outside_kehu_home_are_used(tmp_path, _initialised_home_template):
    home, vault = tmp_path / "home", tmp_path / "vault"
    shutil.copytree(_initialised_home_template, home)  # initialised; init itself reads the keys as these do
    vault.mkdir()
    (vault / "data-keys").write_text(KEYS + "\n")
    (vault / "audit-key").write_text(AUDIT_KEY + "\n")
    env = kehu_env(home, KEHU_DATA_KEYS=None, KEHU_AUDIT_KEY=None, KEHU_DATA_KEYS_FILE=str(vault / "data-keys"),
                   KEHU_AUDIT_KEY_FILE=str(vault / "audit-key"))
    ok(kehu(home, "org", "create", "HQ", "总部", env=env))
    assert "intact" in ok(kehu(home, "audit", "verify", env=env)).stdout
    assert not (home / "data-keys").exists() and not (home / "audit-key").exists()


# ----------------------------------------------------------------------------- keys and demo


def test_keys_generate_prints_the_next_key_item(tmp_path):
    result = ok(kehu(tmp_path, "keys", "generate"))
    item = result.stdout.strip()
    [(key_id, material)] = parse_data_keys(item)
    assert key_id == "k2"  # KEHU_DATA_KEYS holds k1
    assert len(material) == 32
    assert "kehu keys reencrypt" in result.stderr


def test_demo_loads_once_and_survives_a_key_rotation(tmp_path):
    # A demo home stays a demo: its keys live in KEHU_HOME, which only demo mode reads.
    env = kehu_env(tmp_path, KEHU_SECRET_KEY=None, KEHU_DATA_KEYS=None, KEHU_AUDIT_KEY=None, KEHU_DEMO="1")
    first = ok(kehu(tmp_path, "demo", "--seed-only", env=env, timeout=300))
    assert "Demo data loaded: 200 customers" in first.stdout
    assert "bj_cm1" in first.stdout and "hq_committee3" in first.stdout
    assert "Password for every demo login: Kehu-Demo-2026" in first.stdout
    # Demo mode generated the secrets under KEHU_HOME, readable by the owner only.
    keys_file = tmp_path / "data-keys"
    assert (keys_file.stat().st_mode & 0o777) == 0o600
    assert (tmp_path / "secret-key").exists()
    counts = db_rows(tmp_path, "SELECT (SELECT COUNT(*) FROM customers_customer), (SELECT COUNT(*) FROM core_auditevent)")

    second = ok(kehu(tmp_path, "demo", "--seed-only", env=env, timeout=300))
    assert "already loaded" in second.stdout
    assert db_rows(tmp_path, "SELECT (SELECT COUNT(*) FROM customers_customer), "
                             "(SELECT COUNT(*) FROM core_auditevent)") == counts

    # Rotate: append a new key (newest last), re-encrypt, then drop the old key.
    new_item = ok(kehu(tmp_path, "keys", "generate", env=env)).stdout.strip()
    assert new_item.startswith("k2:")
    old_item = keys_file.read_text().strip()
    keys_file.write_text(f"{old_item},{new_item}\n")
    result = ok(kehu(tmp_path, "keys", "reencrypt", "--batch-size", "50", env=env, timeout=300))
    assert "under key k2" in result.stdout
    keys_file.write_text(new_item + "\n")
    script = (
        "from kehu.customers.models import Customer, Contact;"
        "people = [c.id_number for c in Customer.objects.filter(kind='individual')];"
        "print(len(people), all(len(n) == 18 for n in people), sum(1 for c in Contact.objects.all() if c.phone))"
    )
    result = ok(kehu(tmp_path, "manage", "shell", "-v", "0", "-c", script, env=env))
    people, valid, phones = result.stdout.strip().splitlines()[-1].split()
    assert int(people) > 0 and valid == "True" and int(phones) > 100
    assert "intact" in ok(kehu(tmp_path, "audit", "verify", env=env)).stdout


def test_module_commands_are_reachable_by_their_short_names(home):
    listed = ok(kehu(home, "--help")).stdout
    assert "kehu exposure month" in listed
    assert ok(kehu(home, "exposure", "month", "--help")).stdout.startswith("usage: kehu exposure month")
    refused = kehu(home, "exposure", "month", "--no-such-option")
    assert refused.returncode == 2 and "error:" in refused.stderr
