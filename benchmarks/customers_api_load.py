"""P9 and the peer operations over HTTP: kehu under gunicorn with 2 workers, at 1 M customers.

* P9: ``GET /api/v1/customers/{id}`` (Bearer token, scope, masking) under closed-loop load from
  ``--clients`` threads for ``--seconds``; throughput and p99. Baseline: a bare Django JSON view
  reading the same row on the same server (``customers_bench_urls.py``, benchmark URLconf only).
  Targets: p99 <= 50 ms and throughput >= 0.6 x the bare view.
* Peers (BottleCRM on SQLite with 10,000 contacts, ../shared/docs/performance.md): creating
  customers through the API (57/s), listing a 20-row page (74 ms median, 109 ms p95), filtering by
  name (66 ms median). ``baseline`` is the peer's published figure, not measured here.

    python benchmarks/customers_api_load.py --size small
    python benchmarks/customers_api_load.py --size full --db postgres --reuse --seconds 30
"""

from __future__ import annotations

import http.client
import json
import os
import random
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import quote

import customers_data
from harness import ROOT, emit, parser, percentile, size_of

HERE = Path(__file__).resolve().parent
PEER = {"create_per_s": 57.0, "list_median_ms": 74.0, "list_p95_ms": 109.0, "filter_median_ms": 66.0}


def request(port: int, method: str, path: str, token: str | None = None, body: dict | None = None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    start = time.perf_counter()
    conn.request(method, path, body=data, headers=headers)
    response = conn.getresponse()
    payload = response.read()
    elapsed = time.perf_counter() - start
    conn.close()
    return response.status, payload, elapsed


def load(port: int, paths: list[str], token: str | None, *, clients: int, seconds: float) -> dict:
    """Closed loop: each client sends the next request when the previous one is answered."""
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    stop = time.perf_counter() + seconds

    def client(seed: int) -> None:
        rng = random.Random(seed)
        mine = []
        while time.perf_counter() < stop:
            status, _body, elapsed = request(port, "GET", rng.choice(paths), token)
            if status != 200:
                errors[0] += 1
            mine.append(elapsed)
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - started
    return {"rps": len(latencies) / wall, "p99_ms": percentile(latencies, 99) * 1000,
            "p50_ms": percentile(latencies, 50) * 1000, "requests": len(latencies), "errors": errors[0]}


def main() -> None:
    p = parser(__doc__, small=20_000, full=1_000_000)
    p.add_argument("--seconds", type=float, default=None, help="load duration per phase (default 5 small, 30 full)")
    p.add_argument("--clients", type=int, default=4)
    p.add_argument("--port", type=int, default=18791)
    customers_data.add_reuse(p)
    args = p.parse_args()
    n = size_of(args)
    seconds = args.seconds or (30.0 if n >= 1_000_000 else 5.0)
    db = customers_data.prepare(args, n)
    from django.db import connection

    from kehu.core.models import User
    from kehu.core.services import token_create
    from kehu.customers.generators import make_company, make_uscc
    from kehu.customers.models import Customer

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE" if db == "sqlite" else "ANALYZE customers_customer")
    hq = User.objects.get(username="bench_hq")
    bj = User.objects.get(username="bench_bj")
    hq_token, bj_token = token_create(user=hq, actor=None), token_create(user=bj, actor=None)
    rng = random.Random(23)
    top = Customer.objects.order_by("-pk").values_list("pk", flat=True).first()
    ids = [rng.randrange(1, top + 1) for _ in range(5000)]
    names = list(Customer.objects.filter(pk__in=ids[:300], kind="enterprise").values_list("name", flat=True))
    connection.close()

    env = dict(os.environ, DJANGO_SETTINGS_MODULE="customers_bench_settings",
               PYTHONPATH=os.pathsep.join([str(HERE), str(ROOT / "src"), os.environ.get("PYTHONPATH", "")]))
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "--workers", "2", "--bind", f"127.0.0.1:{args.port}",
         "--log-level", "warning", "kehu.wsgi:application"], env=env)
    try:
        for _ in range(100):
            try:
                if request(args.port, "GET", f"/bench/bare/{ids[0]}")[0] in (200, 404):
                    break
            except OSError:
                time.sleep(0.2)
        else:
            raise SystemExit("gunicorn did not start")
        bare_paths = [f"/bench/bare/{i}" for i in ids]
        api_paths = [f"/api/v1/customers/{i}" for i in ids]
        load(args.port, bare_paths[:200], None, clients=args.clients, seconds=2)  # warm-up
        load(args.port, api_paths[:200], hq_token, clients=args.clients, seconds=2)
        bare = load(args.port, bare_paths, None, clients=args.clients, seconds=seconds)
        ours = load(args.port, api_paths, hq_token, clients=args.clients, seconds=seconds)
        extra = {"seconds": seconds, "clients": args.clients, "workers": 2}
        emit("P9_lookup_by_id_throughput_vs_bare_view", ours=ours["rps"], baseline=bare["rps"], n=n, db=db,
             unit="req/s", better="higher", target_ratio=0.6, requests=ours["requests"], errors=ours["errors"],
             baseline_errors=bare["errors"], **extra)
        emit("P9_lookup_by_id_p99", ours=ours["p99_ms"], baseline=bare["p99_ms"], n=n, db=db, unit="ms",
             better="lower", target_ms=50, p50=round(ours["p50_ms"], 3), baseline_p50=round(bare["p50_ms"], 3),
             **extra)

        # Peer operations. Creates: closed loop from the same clients, each a valid new enterprise.
        made, failed = [0], [0]
        stop = time.perf_counter() + min(seconds, 10.0)

        def creator(seed: int) -> None:
            crng = random.Random(time.time_ns() + seed)
            while time.perf_counter() < stop:
                name, trade, _code = make_company(crng)
                status, body, _elapsed = request(args.port, "POST", "/api/v1/customers", bj_token, {
                    "kind": "enterprise", "name": name, "uscc": make_uscc(crng), "industry": trade,
                    "region": "北京", "org_code": "BJ"})
                if status == 201:
                    made[0] += 1
                else:
                    failed[0] += 1
                    if failed[0] < 3:
                        print(status, body[:200], file=sys.stderr)

        threads = [threading.Thread(target=creator, args=(i,)) for i in range(args.clients)]
        started = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        rate = made[0] / (time.perf_counter() - started)
        emit("peer_create_through_api_per_s", ours=rate, baseline=PEER["create_per_s"], n=n, db=db, unit="/s",
             better="higher", baseline_source="BottleCRM, SQLite, 10,000 contacts (performance.md)",
             created=made[0], failed=failed[0], clients=args.clients)

        def sequential(paths: list[str], token: str) -> list[float]:
            for path in paths[:10]:
                request(args.port, "GET", path, token)
            out = []
            for path in paths:
                status, body, elapsed = request(args.port, "GET", path, token)
                if status != 200:
                    raise SystemExit(f"{path}: {status} {body[:200]!r}")
                out.append(elapsed * 1000)
            return out

        pages = []
        before = None
        for _ in range(200):  # walk the list as a user pages through it, as a branch manager
            pages.append("/api/v1/customers?limit=20" + (f"&before={before}" if before else "&count=true"))
            before = (before or top) - rng.randrange(20, max(21, min(5000, top // 200)))
            if before < 21:
                before = None
        listed = sequential(pages, bj_token)
        emit("peer_list_20_rows_median", ours=percentile(listed, 50), baseline=PEER["list_median_ms"], n=n,
             db=db, unit="ms", better="lower", p95=round(percentile(listed, 95), 3),
             peer_p95=PEER["list_p95_ms"], baseline_source="BottleCRM (performance.md)")
        filters = []
        for name in names[:200]:
            start = rng.randrange(0, max(1, len(name) - 4))
            filters.append(f"/api/v1/customers?limit=20&q={quote(name[start:start + rng.choice([3, 4])])}")
        filtered = sequential(filters, bj_token)
        emit("peer_filter_by_name_median", ours=percentile(filtered, 50), baseline=PEER["filter_median_ms"], n=n,
             db=db, unit="ms", better="lower", p95=round(percentile(filtered, 95), 3),
             baseline_source="BottleCRM (performance.md)")
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
