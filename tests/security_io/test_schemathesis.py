"""Issue 11, defect 5: nothing a client sends produces a 500. Schemathesis over every API operation.

The short run (this test, part of the suite and so of CI) starts kehu on a live test server with the test
world, writes the OpenAPI schema to a file and runs the Schemathesis CLI against it as a customer manager
with 3 examples per operation (examples and fuzzing phases), checking that no response is a server error
and that every status code answered is declared in the schema (defect 6). It took 2.5 minutes on this
2-core machine while other test runs shared it. The long run (more users, examples and phases) is
documented in docs/security-io.md:

    KEHU_SCHEMATHESIS_USERS=bj_cm,hq_risk,bj_auditor,admin KEHU_SCHEMATHESIS_EXAMPLES=100 \\
    KEHU_SCHEMATHESIS_PHASES=examples,coverage,fuzzing,stateful \\
        .venv/bin/pytest -q tests/security_io/test_schemathesis.py
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from kehu.core.services import token_create

EXAMPLES = os.environ.get("KEHU_SCHEMATHESIS_EXAMPLES", "3")
USERS = os.environ.get("KEHU_SCHEMATHESIS_USERS", "bj_cm").split(",")
PHASES = os.environ.get("KEHU_SCHEMATHESIS_PHASES", "examples,fuzzing")


def _schemathesis() -> str:
    found = Path(sys.executable).with_name("schemathesis")
    return str(found) if found.exists() else (shutil.which("schemathesis") or "schemathesis")


@pytest.mark.parametrize("username", USERS)
def test_no_server_error_on_any_operation(cworld, live_server, tmp_path, username):
    from kehu.api import api

    w = cworld
    w.enterprise()
    w.individual()
    schema = api.get_openapi_schema()
    path = tmp_path / "openapi.json"
    path.write_text(json.dumps(schema), encoding="utf-8")
    token = token_create(user=w.users[username], actor=None)
    report = tmp_path / "junit.xml"
    command = [
        _schemathesis(), "run", str(path), "--url", live_server.url,
        "-H", f"Authorization: Bearer {token}",
        "--checks", "not_a_server_error,status_code_conformance",
        # Revoking tokens would revoke the run's own token (a small generated id hits it) and leave the rest
        # of the run at 401; revocation is tested on its own in tests/core/test_api_security.py.
        "--exclude-path-regex", "^/api/v1/tokens",
        "--max-examples", EXAMPLES, "--phases", PHASES, "--seed", "20261206",
        "--generation-database", "none", "--workers", "1", "--no-color",
        "--suppress-health-check", "all", "--request-timeout", "30",
        "--report", "junit", "--report-junit-path", str(report),
    ]
    result = subprocess.run(command, capture_output=True, text=True, timeout=900, check=False)
    (tmp_path / "schemathesis.txt").write_text(result.stdout + result.stderr, encoding="utf-8")
    out = result.stdout
    start = out.find("FAILURES")
    assert result.returncode == 0, (out[start:start + 12000] if start >= 0 else out[-8000:]) + result.stderr[-2000:]
    # The run really got past authentication: some of its generated writes succeeded and were audited.
    from kehu.core.models import AuditEvent

    assert AuditEvent.objects.filter(actor=w.users[username], channel="api").exists(), out[-3000:]
