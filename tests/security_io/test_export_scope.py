"""Issue 11, defect 1: every export, report and download applies the caller's data scope.

One 北京 (BJ) world — a customer with a large credit line in the month's large-credit table, a grade, a
document, an import job with a rejected row — and users of 上海 (SH) who hold the same roles there walk every
export, report and download endpoint of the API and the web. None of BJ's rows may appear. HQ users (who
reach BJ) see them, so the markers are really in the files.

``ENDPOINTS`` is the list found with ``grep -rn "FileResponse|HttpResponse(|Content-Disposition" src`` and the
export/report routes; ``test_every_download_route_is_walked`` fails when a new route that looks like an
export is added without being walked here.
"""

from __future__ import annotations

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import get_resolver, reverse
from tests._fixtures.api import ApiClient
from tests._fixtures.credit_world import active_line, rated_customer
from tests.conftest import PASSWORD
from tests.exposure.test_services import HEADER, _period

from kehu.bulk import services as bulk_services
from kehu.core import services as core_services
from kehu.customers import services as customer_services
from kehu.exposure import services as exposure_services
from kehu.grading.services import policies
from kehu.grading.services.run import run_period

# Routes (web URL names and API paths) that send a file or a report. Every one is walked below.
WEB_ROUTES = {"exposure:export", "exposure:report", "bulk:export", "bulk:export_download", "bulk:job_errors",
              "bulk:template",
              "customers:document", "grading:results", "helpdesk:analysis", "suitability:reports", "surveys:report",
              "surveys:report_xlsx"}
API_ROUTES = {"/exposure/reports/{report_id}/export", "/exposure/reports/{report_id}", "/exposure/alerts",
              "/imports/{job_id}/errors", "/documents/{document_id}/content", "/grading/results/{period}",
              "/suitability/reports/mismatches", "/suitability/reports/capacity", "/suitability/reports/backlog",
              "/suitability/reports/overdue-filings", "/surveys/report", "/privacy/requests/{request_id}/export",
              "/customers/exports/{job_id}/file"}
LOOKS_LIKE_EXPORT = re.compile(r"export|download|errors|content|template|report|result|analysis|document")


@pytest.fixture(autouse=True)
def in_request(monkeypatch):
    monkeypatch.setattr(bulk_services, "BACKGROUND", False)


@pytest.fixture
def leak_world(cworld):
    w = cworld

    def user(name, org, roles):
        w.users[name] = core_services.user_create(username=name, org_code=org, roles=roles, password=PASSWORD,
                                                  actor=None)

    user("sh_auditor", "SH", ["auditor"])
    user("sh_risk", "SH", ["risk_officer"])
    user("hq_office", "HQ", ["customer_office"])
    bj = rated_customer(w)
    active_line(w, bj, "150000000.00")
    period = _period(0)
    exposure_services.month_freeze(actor=w.hq_risk, period=period)
    report = exposure_services.report_draft(actor=w.hq_risk, period=period, **HEADER)
    draft = policies.policy_create(actor=w.hq_office, name="默认评分卡")
    policies.policy_approve(actor=w.hq_committee1, policy_id=draft.pk)
    # Grading grades only customers with a fact in the month before (issue 10): give BJ one.
    from datetime import date

    from tests.grading.conftest import paid_on_time

    from kehu.core.periods import month_before, parse_period

    first = parse_period(period) if not isinstance(period, date) else period.replace(day=1)
    paid_on_time(bj, months=(month_before(first),))
    run_period(actor=None, period=period)
    document = customer_services.document_upload(actor=w.bj_cm, customer_id=bj.pk, kind="other", title="营业执照",
                                                 filename="licence.txt", content_type="text/plain",
                                                 data=f"{bj.name} {bj.uscc}".encode())
    header = "客户类型,客户名称,统一社会信用代码,身份证号,电话,邮箱"
    bad = f"企业,{bj.name}分号,{bj.uscc[:-1]}X,,13912345678,"
    client = Client()
    client.force_login(w.bj_cm)
    upload = SimpleUploadedFile("bj.csv", f"{header}\n{bad}\n".encode("utf-8-sig"))
    r = client.post("/api/v1/imports", {"file": upload, "org_code": "BJ"},
                    HTTP_AUTHORIZATION=f"Bearer {core_services.token_create(user=w.bj_cm, actor=None)}")
    assert r.status_code == 201, r.content
    # A verified access request of the BJ customer: its export is the person's whole file (PIPL Art.45).
    from kehu.privacy import services as privacy_services

    user("hq_privacy", "HQ", ["privacy_officer"])
    dsr = privacy_services.request_receive(actor=None, customer_id=bj.pk, kind="access", channel="counter")
    privacy_services.request_verify(actor=None, request_id=dsr.pk, verification="营业执照原件核验")
    return {"w": w, "bj": bj, "report": report, "period": period, "document": document, "job": r.json()["id"],
            "dsr": dsr.pk}


def _body(response) -> str:
    if getattr(response, "streaming", False):
        data = b"".join(response.streaming_content)
    else:
        data = response.content
    if data[:2] == b"PK":  # an XLSX: every cell's text
        import openpyxl

        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
        return "\n".join(str(v) for s in book.worksheets for row in s.iter_rows(values_only=True) for v in row
                         if v is not None) + "\n" + (book.properties.creator or "")
    return data.decode("utf-8", errors="replace")


def _markers(bj) -> list[str]:
    return [bj.name, bj.uscc, f'"customer_id": {bj.pk},']


def _walk(lw, api_user: str, web_user: str) -> dict[str, tuple[int, str]]:
    w, report, period = lw["w"], lw["report"], lw["period"]
    api = ApiClient(w)
    out = {}
    for fmt in ("xlsx", "xml"):
        r = api.get(api_user, f"/exposure/reports/{report.pk}/export?format={fmt}")
        out[f"api export {fmt}"] = (r.status_code, _body(r))
    r = api.get(api_user, f"/exposure/reports/{report.pk}")
    out["api report"] = (r.status_code, _body(r))
    r = api.get(api_user, f"/exposure/alerts?period={period}")
    out["api alerts"] = (r.status_code, _body(r))
    r = api.get(api_user, f"/grading/results/{period}")
    out["api grading results"] = (r.status_code, _body(r))
    for path in ("/suitability/reports/mismatches", "/suitability/reports/capacity", "/suitability/reports/backlog",
                 "/suitability/reports/overdue-filings", "/surveys/report"):
        r = api.get(api_user, path)
        out[f"api {path}"] = (r.status_code, _body(r))
    r = api.get(web_user, f"/imports/{lw['job']}/errors")
    out["api import errors"] = (r.status_code, _body(r))
    r = api.get(web_user, f"/documents/{lw['document'].pk}/content")
    out["api document"] = (r.status_code, _body(r))
    r = api.get(api_user, f"/privacy/requests/{lw['dsr']}/export")
    out["api privacy export"] = (r.status_code, _body(r))

    web = Client()
    web.force_login(w.users[api_user])
    for fmt in ("xlsx", "xml"):
        r = web.get(f"/exposure/reports/{report.pk}/export.{fmt}")
        out[f"web export {fmt}"] = (r.status_code, _body(r))
    r = web.get(f"/exposure/reports/{report.pk}/")
    out["web report"] = (r.status_code, _body(r))
    for fmt in ("xlsx", "pdf"):
        r = web.get(f"/grading/{period}/?format={fmt}")
        out[f"web grading {fmt}"] = (r.status_code, _body(r) if fmt == "xlsx" else "")
    r = web.get(f"/grading/{period}/")
    out["web grading page"] = (r.status_code, _body(r))
    r = web.get("/helpdesk/analysis/")
    out["web helpdesk analysis"] = (r.status_code, _body(r))
    for name in ("suitability:reports", "surveys:report", "surveys:report_xlsx"):
        r = web.get(reverse(name))
        out[f"web {name}"] = (r.status_code, _body(r))

    web = Client()
    web.force_login(w.users[web_user])
    for fmt in ("csv", "xlsx"):
        r = web.get(f"/customers/bulk/export/?format={fmt}")
        out[f"web customer export {fmt}"] = (r.status_code, _body(r))
    r = web.get(f"/customers/bulk/import/{lw['job']}/errors/")
    out["web import errors"] = (r.status_code, _body(r))
    r = web.get(f"/customers/documents/{lw['document'].pk}/")
    out["web document"] = (r.status_code, _body(r))
    r = web.get("/customers/bulk/template.xlsx")
    out["web template"] = (r.status_code, _body(r))
    # The export made in the background (issue 17): queued from the page, then downloaded from it; and the
    # same through the API (POST /jobs, GET /customers/exports/{id}/file).
    from kehu.core.models import Job

    r = web.post("/customers/bulk/exports/background/", {"format": "xlsx"})
    job = Job.objects.filter(kind="bulk.export", created_by=w.users[web_user]).order_by("-id").first()
    r = web.get(f"/customers/bulk/exports/background/{job.pk}/") if job else r
    out["web background export"] = (r.status_code, _body(r))
    r = api.post(web_user, "/jobs", {"kind": "bulk.export", "params": {"format": "csv"}})
    if r.status_code == 202:
        r = api.get(web_user, f"/customers/exports/{r.json()['id']}/file")
    out["api background export"] = (r.status_code, _body(r))
    return out


def test_other_branch_sees_none_of_the_rows(leak_world):
    bj = leak_world["bj"]
    for api_user, web_user in (("sh_auditor", "sh_cm"), ("sh_risk", "sh_office"), ("sh_approver", "sh_cm")):
        for name, (status, body) in _walk(leak_world, api_user, web_user).items():
            assert status < 500, (api_user, name, status)
            for marker in _markers(bj):
                assert marker not in body, (api_user, web_user, name, status, marker)


def test_the_markers_are_there_for_those_in_scope(leak_world):
    """The same walk as HQ/BJ users: the exports do hold the rows (so the test above can fail)."""
    bj = leak_world["bj"]
    walked = _walk(leak_world, "hq_risk", "bj_cm")
    for name in ("api export xlsx", "api export xml", "api report", "web export xlsx", "web export xml",
                 "web report", "api grading results", "web grading xlsx", "web customer export csv",
                 "web customer export xlsx", "api document", "web document", "web background export",
                 "api background export"):
        status, body = walked[name]
        assert status == 200, (name, status, body[:300])
        assert any(marker in body for marker in _markers(bj)), name
    assert walked["api import errors"][0] == 200 and walked["web import errors"][0] == 200
    export = ApiClient(leak_world["w"]).get("hq_privacy", f"/privacy/requests/{leak_world['dsr']}/export")
    assert export.status_code == 200 and any(marker in _body(export) for marker in _markers(bj))


def test_xml_needs_the_whole_table(leak_world):
    """The regulator's XML is the whole table: a branch user gets 403 ``partial_scope``, not a partial file."""
    api = ApiClient(leak_world["w"])
    r = api.get("sh_auditor", f"/exposure/reports/{leak_world['report'].pk}/export?format=xml")
    assert r.status_code == 403 and r.json()["code"] == "partial_scope"


def test_every_download_route_is_walked():
    """A new URL or API route that looks like an export must be added to the walk above."""
    from kehu.api import api

    web = set()
    for pattern in get_resolver().url_patterns:
        _collect(pattern, "", web)
    api_paths = _api_paths(api)
    web = {n for n in web if not n.startswith("api:")}  # the API's routes are checked by path below
    unwalked_web = {n for n in web if LOOKS_LIKE_EXPORT.search(n.split(":")[-1]) and n not in WEB_ROUTES}
    unwalked_api = {p for p in api_paths if LOOKS_LIKE_EXPORT.search(p) and "GET" in api_paths[p]
                    and p not in API_ROUTES}
    allowed_web = {"customers:document_upload", "grading:result", "grading:result_override", "exposure:report_create",
                   "exposure:report_action", "bulk:job", "bulk:job_status", "bulk:job_resume", "bulk:import",
                   "exposure:reports", "surveys:templates",
                   # export approval: the request form, the decision and the list hold no customer rows; the
                   # approved download is bulk:export (walked above)
                   "bulk:export_request", "bulk:export_decide", "bulk:exports",
                   # queues a background export (no rows); its file is bulk:export_download (walked above)
                   "bulk:export_start"}
    allowed_api = {"/exposure/reports", "/customers/{customer_id}/documents", "/grading/results/{period}/{customer_id}",
                   "/surveys/templates"}
    assert unwalked_web - allowed_web == set()
    assert unwalked_api - allowed_api == set()


def _collect(pattern, namespace, out):
    if hasattr(pattern, "url_patterns"):
        ns = pattern.namespace or ""
        for p in pattern.url_patterns:
            _collect(p, f"{namespace}{ns}:" if ns else namespace, out)
    elif getattr(pattern, "name", None):
        out.add(f"{namespace}{pattern.name}")


def _api_paths(api) -> dict[str, set[str]]:
    paths: dict[str, set[str]] = {}
    for _prefix, router in api._routers:
        for path, view in router.path_operations.items():
            for op in view.operations:
                paths.setdefault(path, set()).update(op.methods)
    return paths
