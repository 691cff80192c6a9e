"""Background jobs (kehu.core.jobs): the embedded worker process runs a real import to done, racing workers run
each job once, retries only for idempotent kinds, a lost worker's job is taken over, the API shows a job to its
submitter and admins only, and the Celery path runs a job through the real Redis with a real celery worker."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connections
from django.test import Client
from django.utils import timezone
from tests.bulk.test_import import HEADER, good_rows
from tests.conftest import build_world, cli_env

from kehu.core import jobs
from kehu.core.models import AuditEvent, Job, ScheduledRun
from kehu.core.services import token_create, user_create
from kehu.customers.models import Customer

REDIS_URL = "redis://127.0.0.1:6379/7"


@pytest.fixture
def kinds():
    """Test kinds that record every run (removed again after the test)."""
    runs: list[int] = []
    lock = threading.Lock()
    failures = {"left": 0}

    def record(ctx):
        time.sleep(0.01)  # long enough for a racing worker to try the same row
        with lock:
            runs.append(ctx.job_id)
            if failures["left"]:
                failures["left"] -= 1
                raise RuntimeError("lost the connection")
        ctx.progress(1, 1)
        return {"ran": ctx.job_id}

    jobs.register_job_kind("test.record", record, label="record", idempotent=True)
    jobs.register_job_kind("test.once", record, label="record once", idempotent=False)
    yield runs, failures
    jobs.KINDS.pop("test.record", None)
    jobs.KINDS.pop("test.once", None)


def queued(kind: str, n: int) -> list[int]:
    return [jobs.job_submit(kind=kind, params={"i": i}, eager=False, in_thread=False).pk for i in range(n)]


def api(user, method: str, path: str, **data):
    token = token_create(user=user, actor=None)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    if method == "post":
        return client.post("/api/v1" + path, data=data, content_type="application/json")
    return client.get("/api/v1" + path)


# ----------------------------------------------------------------------------- the embedded worker


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


# A stand-in for `kehu serve`: starts its embedded worker as serve does, prints the worker's pid, lives until its
# standard input closes.
SERVE_STANDIN = (
    "import os, subprocess, sys\n"
    "p = subprocess.Popen([sys.executable, '-m', 'kehu.cli', 'worker', '--embedded', '--parent-pid', str(os.getpid())])\n"
    "print(p.pid, flush=True)\n"
    "sys.stdin.read()\n"
)


@pytest.mark.django_db(transaction=True)
def test_embedded_worker_process_runs_an_uploaded_import_to_done(settings):
    """The web side only queues (runner ``worker``); a real ``kehu worker --embedded`` process claims the job,
    runs the import and the job API shows it done with the import's counts; the worker stops with its parent."""
    settings.KEHU_JOB_RUNNER = "worker"
    world = build_world()
    body = ("\n".join([",".join(HEADER)] + [",".join(r) for r in good_rows(30, seed=7)]) + "\n").encode("utf-8-sig")
    token = token_create(user=world.bj_cm, actor=None)
    response = Client().post("/api/v1/imports", data={"file": SimpleUploadedFile("w.csv", body), "org_code": "BJ"},
                             HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 201, response.content
    imported = response.json()
    assert imported["status"] == "queued" and imported["job_id"]
    time.sleep(0.5)
    assert Job.objects.get(pk=imported["job_id"]).status == "queued"  # nothing in this process runs it

    serve = subprocess.Popen([sys.executable, "-c", SERVE_STANDIN], env=cli_env(), stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, text=True)
    worker = int(serve.stdout.readline())
    try:
        deadline = time.monotonic() + 600  # a loaded CI machine may take minutes to start a Python process
        while True:
            status = api(world.bj_cm, "get", f"/jobs/{imported['job_id']}").json()
            if status["status"] in ("done", "failed") or time.monotonic() > deadline:
                break
            assert _alive(worker), "the embedded worker died"
            time.sleep(0.2)
        assert status["status"] == "done", status
        assert (status["result"]["created"], status["attempts"], status["percent"]) == (30, 1, 100)
        assert Customer.objects.count() == 30
        assert api(world.bj_cm, "get", f"/imports/{imported['id']}").json()["status"] == "done"
        assert api(world.sh_cm, "get", f"/jobs/{imported['job_id']}").status_code == 404
        # The worker also ticked the scheduler (one machine needs no cron) and ran the slots it queued.
        watch = Job.objects.filter(kind="core.scheduled", params__job="helpdesk.sla_watch")
        while not watch.filter(status="done").exists() and time.monotonic() < deadline:
            assert _alive(worker), "the embedded worker died"
            time.sleep(0.2)
        assert watch.get().status == "done"
        assert ScheduledRun.objects.get(job="helpdesk.sla_watch").state == "done"
    finally:
        serve.stdin.close()  # "kehu serve" stops: its embedded worker must follow
        serve.wait(timeout=30)
    deadline = time.monotonic() + 15
    while _alive(worker) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _alive(worker), "the embedded worker outlived kehu serve"


# ----------------------------------------------------------------------------- races and retries


@pytest.mark.django_db(transaction=True)
def test_two_racing_workers_run_every_job_exactly_once(kinds):
    runs, _failures = kinds
    ids = queued("test.record", 30)
    stop = threading.Event()
    counts: dict[str, int] = {}

    def work(name: str) -> None:
        try:
            counts[name] = jobs.worker_loop(name=name, once=True, stop=stop)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(f"w{i}",)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert Counter(runs) == Counter(ids)  # each job once, none twice, none missing
    assert sum(counts.values()) == 30
    assert set(Job.objects.filter(pk__in=ids).values_list("status", "attempts")) == {("done", 1)}


@pytest.mark.django_db(transaction=True)
def test_a_claim_is_atomic_for_the_same_job(kinds):
    """Many threads claiming one job by id (a Celery message delivered several times): one gets it."""
    [job_id] = queued("test.record", 1)
    barrier = threading.Barrier(6)
    won = []

    def claim(i: int) -> None:
        try:
            barrier.wait()
            if jobs.job_claim(worker=f"t{i}", job_id=job_id) is not None:
                won.append(i)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=claim, args=(i,)) for i in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(won) == 1
    assert Job.objects.get(pk=job_id).attempts == 1


@pytest.mark.django_db(transaction=True)
def test_an_idempotent_job_is_retried_and_another_fails_once_with_an_audit_row(kinds):
    runs, failures = kinds
    failures["left"] = 1
    [retried] = queued("test.record", 1)
    job = jobs.job_execute(jobs.job_claim(worker="w", job_id=retried), heartbeat=False)
    assert job.status == "queued" and "lost the connection" in job.error and job.run_after > timezone.now()
    Job.objects.filter(pk=retried).update(run_after=timezone.now())
    job = jobs.job_execute(jobs.job_claim(worker="w", job_id=retried), heartbeat=False)
    assert (job.status, job.attempts, job.result) == ("done", 2, {"ran": retried})

    failures["left"] = 1
    [once] = queued("test.once", 1)
    job = jobs.job_execute(jobs.job_claim(worker="w", job_id=once), heartbeat=False)
    assert (job.status, job.attempts) == ("failed", 1)
    assert jobs.job_claim(worker="w", job_id=once) is None
    assert AuditEvent.objects.filter(event_code=jobs.JobEvent.JOB_FAILED, object_id=str(once)).count() == 1
    assert runs == [retried, retried, once]


@pytest.mark.django_db(transaction=True)
def test_a_lost_workers_job_is_taken_over_only_if_idempotent(kinds):
    runs, _failures = kinds
    [again, lost] = queued("test.record", 1) + queued("test.once", 1)
    for job_id in (again, lost):
        jobs.job_claim(worker="dead", job_id=job_id)
    Job.objects.update(heartbeat_at=timezone.now() - timedelta(hours=1))
    assert jobs.requeue_stale() == {"requeued": 1, "failed": 1}
    assert Job.objects.get(pk=lost).status == "failed"
    assert jobs.worker_loop(name="w", once=True) == 1
    assert runs == [again] and Job.objects.get(pk=again).status == "done"
    # the dead worker's late finish changes nothing: the claim is no longer its own
    stale = Job.objects.get(pk=again)
    stale.claimed_by = "dead/old"
    assert jobs._finish(stale, "failed", error="late").status == "done"


# ----------------------------------------------------------------------------- the API


def test_job_api_submits_checks_and_scopes(world):
    supervisor = user_create(username="svc_sup", org_code="HQ", roles=["service_supervisor"], actor=None)
    started = api(supervisor, "post", "/jobs", kind="surveys.dispatch", key="tick-1")
    assert started.status_code == 202, started.content
    body = started.json()
    assert body["status"] == "done" and body["kind"] == "surveys.dispatch"  # tests run jobs inline
    assert api(supervisor, "post", "/jobs", kind="surveys.dispatch", key="tick-1").json()["id"] == body["id"]
    assert api(supervisor, "get", f"/jobs/{body['id']}").status_code == 200
    assert api(world.admin, "get", f"/jobs/{body['id']}").status_code == 200
    assert api(world.bj_cm, "get", f"/jobs/{body['id']}").status_code == 404
    assert api(world.bj_cm, "get", "/jobs/99999999999999999999").status_code in (404, 422)

    assert api(world.bj_cm, "post", "/jobs", kind="surveys.dispatch").status_code == 403
    assert api(world.bj_cm, "post", "/jobs", kind="grading.run", params={"period": "2026-10"}).status_code == 403
    assert api(world.bj_cm, "post", "/jobs", kind="bulk.import", params={"import_job": 1}).status_code == 403
    assert api(world.bj_cm, "post", "/jobs", kind="backup.create").status_code == 403
    unknown = api(world.bj_cm, "post", "/jobs", kind="nope")
    assert unknown.status_code == 400 and unknown.json()["code"] == "invalid_input"
    submitted = AuditEvent.objects.filter(event_code=jobs.JobEvent.JOB_SUBMITTED, object_id=str(body["id"]))
    assert submitted.count() == 1


# ----------------------------------------------------------------------------- Celery


def _redis_answers() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


@contextmanager
def _celery_worker():
    """A real ``kehu worker`` on the test Redis (solo pool), stopped with SIGTERM and the queue emptied after."""
    import redis

    env = {**cli_env(), "KEHU_BROKER_URL": REDIS_URL}
    worker = subprocess.Popen([sys.executable, "-m", "kehu.cli", "worker", "--pool", "solo", "--loglevel", "WARNING"],
                              env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        yield worker
    finally:
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()
        redis.Redis.from_url(REDIS_URL).flushdb()


@pytest.mark.django_db(transaction=True)
def test_celery_worker_runs_a_job_once_through_redis(settings):
    if not _redis_answers():
        pytest.skip("Redis at 127.0.0.1:6379 does not answer; the Celery path needs it")
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()
    settings.KEHU_BROKER_URL = REDIS_URL
    from kehu.core.celery_app import _configure, app

    _configure()
    build_world()
    supervisor = user_create(username="svc_sup", org_code="HQ", roles=["service_supervisor"], actor=None)
    with _celery_worker() as worker:
        job = jobs.job_submit(kind="surveys.dispatch", actor=supervisor, eager=False)  # sent to Redis
        app.send_task("kehu.run_job", args=[job.pk])  # and delivered a second time
        deadline = time.monotonic() + 600
        while Job.objects.get(pk=job.pk).status in ("queued", "running") and time.monotonic() < deadline:
            assert worker.poll() is None, worker.stdout.read()
            time.sleep(0.2)
        time.sleep(1.0)  # the duplicate message is consumed too
        job.refresh_from_db()
        assert (job.status, job.attempts) == ("done", 1), job.error
        assert job.claimed_by.startswith("celery@")
        assert "sent" in job.result or job.result  # surveys_dispatch's summary


@pytest.mark.django_db(transaction=True)
def test_celery_runs_a_scheduled_slot_once_when_two_servers_tick_at_once(settings):
    """The SLA watch, ticked by two web servers at the same moment, is queued once and run by a Celery worker."""
    if not _redis_answers():
        pytest.skip("Redis at 127.0.0.1:6379 does not answer; the Celery path needs it")
    import redis

    from kehu.core.scheduler import SLOT_KIND, run_due

    redis.Redis.from_url(REDIS_URL).flushdb()
    settings.KEHU_BROKER_URL = REDIS_URL
    from kehu.core.celery_app import _configure

    _configure()
    build_world()
    now = timezone.localtime()
    barrier, outcomes = threading.Barrier(2), []

    def server():
        try:
            barrier.wait(timeout=30)
            outcomes.extend(o.state for o in run_due(now=now, only=["helpdesk.sla_watch"]))
        finally:
            connections.close_all()

    servers = [threading.Thread(target=server) for _ in range(2)]
    for t in servers:
        t.start()
    for t in servers:
        t.join(60)
    assert sorted(outcomes) == ["queued", "skipped"]
    queued = Job.objects.get(kind=SLOT_KIND)
    assert ScheduledRun.objects.get(job="helpdesk.sla_watch").state == "running"
    with _celery_worker() as worker:
        deadline = time.monotonic() + 600
        while Job.objects.get(pk=queued.pk).status in ("queued", "running") and time.monotonic() < deadline:
            assert worker.poll() is None, worker.stdout.read()
            time.sleep(0.2)
        queued.refresh_from_db()
        assert (queued.status, queued.attempts) == ("done", 1), queued.error
        assert queued.claimed_by.startswith("celery@")
        run = ScheduledRun.objects.get(job="helpdesk.sla_watch")
        assert (run.state, run.attempts) == ("done", 1)
        assert queued.result["result"] == run.result  # the watcher's summary, recorded on both rows


@pytest.mark.django_db
def test_celery_beats_tick_queues_the_due_slots(settings):
    """`kehu worker --schedule` runs beat, which sends `kehu.schedule_tick`: it queues, it does not run."""
    from kehu.core.celery_app import app, schedule_tick
    from kehu.core.scheduler import SLOT_KIND

    settings.KEHU_BROKER_URL = REDIS_URL  # nothing is sent: the test's transaction never commits
    assert app.conf.beat_schedule["kehu-schedule-tick"]["task"] == "kehu.schedule_tick"
    done = schedule_tick()
    assert "helpdesk.sla_watch" in " ".join(done) and all(line.endswith((" queued", " done")) for line in done)
    sla = ScheduledRun.objects.get(job="helpdesk.sla_watch")
    assert sla.state == "running"  # claimed, its work waits for a worker
    assert Job.objects.filter(kind=SLOT_KIND, params__job="helpdesk.sla_watch", status="queued").count() == 1
    again = schedule_tick()  # a second beat, or a cron tick beside it, finds the slot claimed
    assert not any(line.startswith("helpdesk.sla_watch") for line in again)
