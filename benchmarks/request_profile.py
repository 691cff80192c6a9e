"""Where one API request spends its time: the create path (issue 17, peer comparison) and the lookup (P9).

Runs ``--count`` requests through the whole request path in one process (Django's test client: middleware,
token, django-ninja's parsing, the service or selector, the database, the response), first without a
profiler (the in-process rate: no HTTP and no gunicorn), then under ``cProfile``, and prints one JSON line
per part of the path: its self time per request (``ours``, ms) against the whole request (``baseline``, ms),
so ``ratio`` is its share. Parts are told apart by the file each function lives in (``PARTS``); the database
part is the time inside the driver's calls (the server's work and the wait for it). A last line gives the
statements of one request.

* ``--request create``: ``POST /api/v1/customers``, a valid new enterprise each time, as the peer comparison's
  HTTP benchmark sends (``customers_api_load.py``); the creates stay in the database. The rate's baseline is
  the peer's published 57/s (BottleCRM through its API, ``../shared/docs/performance.md``).
* ``--request lookup``: ``GET /api/v1/customers/{id}`` as the HQ manager; the rate's baseline is P9's bare
  Django JSON view reading the same rows (``customers_bench_urls.py``), measured in the same run, and the
  bare view is profiled too (``part`` lines with ``"request": "bare view"``).

    python benchmarks/request_profile.py --size full --db postgres --reuse --home H --pg-url URL --request create

With ``--reuse`` it runs on the customers a previous customer benchmark generated (one million with
``--size full``).
"""

from __future__ import annotations

import cProfile
import json
import pstats
import random
import time
from collections.abc import Callable

import customers_data
from harness import emit, parser, size_of

# (part, substrings of a function's file name or of its built-in name); the first match wins.
PARTS = [
    ("the benchmark's own payload and test client", ("kehu/customers/generators", "random.py", "django/test/",
                                                     "customers_bench_urls")),
    ("database driver and server", ("sqlite3.", "psycopg", "'execute'", "'executemany'", "'fetch",
                                    "CursorWrapper.execute")),
    ("audit row", ("kehu/core/audit", "hmac")),
    ("JSON encoding and decoding", ("json/",)),
    ("encryption", ("kehu/core/crypto", "cryptography/", "AESGCM")),
    ("pinyin keys", ("pypinyin",)),
    ("code check digits", ("stdnum",)),
    ("API parsing and validation (django-ninja, pydantic)", ("ninja/", "pydantic")),
    ("ORM and SQL compilation", ("django/db/",)),
    ("Django request, middleware, auth", ("django/", "asgiref/")),
    ("kehu services, rules, selectors", ("kehu/",)),
]


def part_of(filename: str, name: str) -> str:
    key = f"{filename} {name}"
    for part, needles in PARTS:
        if any(needle in key for needle in needles):
            return part
    return "other (stdlib, interpreter)"


def profile_parts(call: Callable[[], None], count: int) -> dict[str, float]:
    """Self seconds per part over ``count`` calls under cProfile."""
    profile = cProfile.Profile()
    profile.enable()
    for _ in range(count):
        call()
    profile.disable()
    parts: dict[str, float] = {}
    for (filename, _line, name), (_cc, _nc, tottime, _ct, _callers) in pstats.Stats(profile).stats.items():  # type: ignore[attr-defined]
        part = part_of(filename, name)
        parts[part] = parts.get(part, 0.0) + tottime
    return parts


def rate(call: Callable[[], None], count: int) -> float:
    for _ in range(20):  # warm-up: imports, the parameter cache, the statement caches
        call()
    started = time.perf_counter()
    for _ in range(count):
        call()
    return count / (time.perf_counter() - started)


def main() -> None:
    p = parser(__doc__.splitlines()[0], small=20_000, full=1_000_000)
    p.add_argument("--request", choices=["create", "lookup"], default="create")
    p.add_argument("--count", type=int, default=1000, help="requests per phase (default 1,000)")
    customers_data.add_reuse(p)
    args = p.parse_args()
    n = size_of(args)
    db = customers_data.prepare(args, n)
    from django.db import connection
    from django.test import Client, override_settings
    from django.test.utils import CaptureQueriesContext

    from kehu.core.models import User
    from kehu.core.services import token_create
    from kehu.customers.generators import make_company, make_uscc
    from kehu.customers.models import Customer

    rng = random.Random(time.time_ns())
    extra = {"request": args.request, "count": args.count}

    def checked(response, status: int) -> None:
        if response.status_code != status:
            raise SystemExit(f"{args.request} answered {response.status_code}: {response.content[:300]!r}")

    if args.request == "create":
        client = Client(HTTP_AUTHORIZATION=f"Bearer {token_create(user=User.objects.get(username='bench_bj'), actor=None)}")

        def call() -> None:
            name, trade, _code = make_company(rng)
            checked(client.post("/api/v1/customers", data=json.dumps({
                "kind": "enterprise", "name": name, "uscc": make_uscc(rng), "industry": trade, "region": "北京",
                "org_code": "BJ"}), content_type="application/json"), 201)

        emit("create_in_process_per_s", ours=rate(call, args.count), baseline=57.0, n=n, db=db, unit="/s",
             better="higher", note="one process, no HTTP server; baseline = BottleCRM's published 57/s through "
                                   "its API", **extra)
        bare_parts = None
    else:
        client = Client(HTTP_AUTHORIZATION=f"Bearer {token_create(user=User.objects.get(username='bench_hq'), actor=None)}")
        top = Customer.objects.order_by("-pk").values_list("pk", flat=True).first()
        ids = [rng.randrange(1, top + 1) for _ in range(5000)]

        def call() -> None:
            checked(client.get(f"/api/v1/customers/{rng.choice(ids)}"), 200)

        def bare() -> None:
            checked(client.get(f"/bench/bare/{rng.choice(ids)}"), 200)

        with override_settings(ROOT_URLCONF="customers_bench_urls"):
            bare_rate = rate(bare, args.count)
            bare_parts = profile_parts(bare, args.count)
        emit("lookup_in_process_per_s_vs_bare_view", ours=rate(call, args.count), baseline=bare_rate, n=n, db=db,
             unit="/s", better="higher", note="one process, no HTTP server (P9 measures it under gunicorn)",
             **extra)

    parts = profile_parts(call, args.count)
    total = sum(parts.values())
    for part, seconds in sorted(parts.items(), key=lambda item: -item[1]):
        bare_ms = (bare_parts or {}).get(part)
        emit("request_profile_part_ms", ours=seconds / args.count * 1000, baseline=total / args.count * 1000,
             n=n, db=db, unit="ms per request", better="lower", part=part,
             **({"bare_view_ms": round(bare_ms / args.count * 1000, 4)} if bare_ms is not None else {}),
             note="self time under cProfile (the profiler's overhead inflates Python parts)", **extra)
    if bare_parts is not None:
        emit("request_profile_total_ms_vs_bare_view", ours=total / args.count * 1000,
             baseline=sum(bare_parts.values()) / args.count * 1000, n=n, db=db, unit="ms per request",
             better="lower", note="under cProfile", **extra)

    with CaptureQueriesContext(connection) as queries:
        call()
    statements = [q["sql"].split()[0].upper() for q in queries.captured_queries]
    emit("request_statements", ours=len(statements), baseline=len(statements), n=n, db=db, unit="statements",
         better="lower", kinds=statements, **extra)


if __name__ == "__main__":
    main()
