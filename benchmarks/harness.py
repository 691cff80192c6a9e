"""Shared plumbing for kehu's benchmarks (../shared/docs/performance.md).

Every benchmark: one command, its own data generator, a size argument (``--size small`` for CI,
``--size full`` for measurement, or a number), ``--db sqlite|postgres``, and one JSON line per metric:
``{"metric", "ours", "baseline", "ratio", "n", "db", "unit", "better", "peak_rss_mb"}`` where ``ratio`` is
ours/baseline and ``better`` says whether a higher or lower figure is better. Timings are medians over
repeated runs after a warm-up. A benchmark is never a test.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT / "src") not in sys.path:
    sys.path.insert(0, str(ROOT / "src"))


def parser(description: str, *, small: int, full: int) -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--size", default="small",
                   help=f"'small' ({small:,}), 'full' ({full:,}) or a number of rows (default small)")
    p.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    p.add_argument("--pg-url", default=os.environ.get("KEHU_BENCH_PG_URL",
                                                      "postgresql://postgres@127.0.0.1:5432/kehu_bench"))
    p.add_argument("--repeat", type=int, default=5, help="timed repetitions after one warm-up (median reported)")
    p.add_argument("--home", default=None, help="KEHU_HOME for the benchmark database (default: a temp dir)")
    p.set_defaults(_small=small, _full=full)
    return p


def size_of(args: argparse.Namespace) -> int:
    if args.size == "small":
        return args._small
    if args.size == "full":
        return args._full
    try:
        n = int(args.size.replace("_", "").replace(",", ""))
    except ValueError:
        raise SystemExit(f"--size must be small, full or a number, got {args.size!r}") from None
    if n < 1:
        raise SystemExit("--size must be positive")
    return n


def setup_django(args: argparse.Namespace, *, fresh: bool = True) -> str:
    """Point kehu at a benchmark database, create it from migrations, and return the vendor name."""
    home = Path(args.home or tempfile.mkdtemp(prefix="kehu-bench-"))
    os.environ["KEHU_HOME"] = str(home)
    os.environ["KEHU_DEBUG"] = "0"
    os.environ.setdefault("KEHU_SECRET_KEY", "benchmark-secret-key-benchmark-secret-key-0123456789")
    os.environ.setdefault("KEHU_DATA_KEYS", "b1:" + "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWY=")
    os.environ.setdefault("KEHU_AUDIT_KEY", "YmVuY2htYXJrLWF1ZGl0LWtleS1iZW5jaG1hcmstYXVkaXQ=")  # audit chain (issue 11)
    if args.db == "postgres":
        os.environ["KEHU_DATABASE_URL"] = args.pg_url
        if fresh:
            _recreate_pg(args.pg_url)
    else:
        os.environ.pop("KEHU_DATABASE_URL", None)
        db = home / "kehu.sqlite3"
        if fresh:
            for suffix in ("", "-wal", "-shm"):
                Path(str(db) + suffix).unlink(missing_ok=True)
    os.environ["DJANGO_SETTINGS_MODULE"] = "kehu.settings"
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    from django.db import connection

    return connection.vendor


def _recreate_pg(url: str) -> None:
    import psycopg

    base, _, name = url.rpartition("/")
    with psycopg.connect(base + "/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def median_time(fn: Callable[[], object], *, repeat: int, warmup: int = 1) -> float:
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def peak_rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def emit(metric: str, *, ours: float, baseline: float, n: int, db: str, unit: str, better: str = "higher",
         **extra) -> dict:
    """Print one JSON line; ``ratio`` = ours / baseline."""
    ratio = (ours / baseline) if baseline else None
    line = {"metric": metric, "ours": round(ours, 6), "baseline": round(baseline, 6),
            "ratio": round(ratio, 4) if ratio is not None else None, "n": n, "db": db, "unit": unit,
            "better": better, "peak_rss_mb": peak_rss_mb(), **extra}
    print(json.dumps(line, ensure_ascii=False), flush=True)
    return line


def percentile(samples: list[float], p: float) -> float:
    """The ``p``-th percentile (0-100) of ``samples``, nearest-rank."""
    ordered = sorted(samples)
    if not ordered:
        return 0.0
    rank = max(1, min(len(ordered), int(-(-p * len(ordered) // 100))))
    return ordered[rank - 1]
