"""The month-end freeze as a background job (issue 17): checked before it is queued, run by the job runner, and
safe to run again after a worker died (the freeze is one transaction; a committed one is reported, not redone)."""

from __future__ import annotations

from django.test import Client
from tests._fixtures.api import ApiClient
from tests._fixtures.credit_world import active_line, rated_customer
from tests.exposure.test_services import _period

from kehu.core.jobs import JobContext
from kehu.core.models import Job
from kehu.exposure import jobs
from kehu.exposure.models import FrozenPosition, StatFreeze


def test_the_api_queues_a_freeze_that_the_runner_makes(cworld):
    active_line(cworld, rated_customer(cworld), "100000000.00")
    api = ApiClient(cworld)
    period = _period(0)
    submitted = api.post("hq_risk", "/jobs", {"kind": "exposure.freeze", "params": {"period": period}})
    assert submitted.status_code == 202, submitted.content
    job = submitted.json()
    assert job["status"] == "done" and job["result"]["already_frozen"] is False
    freeze = StatFreeze.objects.get(period=period)
    assert job["result"]["freeze"] == freeze.pk
    assert job["result"]["positions"] == FrozenPosition.objects.filter(freeze=freeze).count() > 0
    again = api.post("hq_risk", "/jobs", {"kind": "exposure.freeze", "params": {"period": period}})
    assert again.status_code == 409 and again.json()["code"] == "already_frozen"
    assert Job.objects.filter(kind="exposure.freeze").count() == 1


def test_a_freeze_is_refused_before_it_is_queued(cworld):
    api = ApiClient(cworld)
    bad = api.post("hq_risk", "/jobs", {"kind": "exposure.freeze", "params": {"period": "2026-13"}})
    assert bad.status_code == 400 and bad.json()["field"] == "period"
    for user in ("bj_cm", "bj_auditor"):
        refused = api.post(user, "/jobs", {"kind": "exposure.freeze", "params": {"period": _period(0)}})
        assert refused.status_code == 403, user
    assert not Job.objects.filter(kind="exposure.freeze").exists()


def test_a_run_after_the_freeze_committed_reports_it_instead_of_failing(cworld):
    active_line(cworld, rated_customer(cworld), "100000000.00")
    period = _period(0)
    first = jobs.freeze_job(JobContext(job_id=0, params={"period": period}, actor=cworld.hq_risk))
    rerun = jobs.freeze_job(JobContext(job_id=0, params={"period": period}, actor=cworld.hq_risk))
    assert first["already_frozen"] is False and rerun["already_frozen"] is True
    assert rerun["freeze"] == first["freeze"] and rerun["positions"] == first["positions"]
    assert StatFreeze.objects.filter(period=period).count() == 1


def test_the_page_starts_the_freeze_and_shows_the_job(cworld):
    active_line(cworld, rated_customer(cworld), "100000000.00")
    client = Client()
    client.force_login(cworld.hq_risk)
    period = _period(0)
    assert client.post("/exposure/freeze/", {"period": period}).status_code == 302
    assert StatFreeze.objects.filter(period=period).exists()
    html = client.get("/exposure/").content.decode()
    assert 'id="freeze-jobs"' in html and period in html
    assert 'http-equiv="refresh"' not in html  # done: the page stops reloading itself
