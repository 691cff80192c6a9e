"""P11: where one imported row's CPU goes, measured per piece on 5,000-row chunks (docs/import-export.md).

    python benchmarks/bulk_import_profile.py --size 100000 --db sqlite
    python benchmarks/bulk_import_profile.py --size 100000 --db postgres --pg-url postgresql://...

The file is bulk_import.py's. The first ``--chunks`` chunks are prepared and applied in this one process (no
workers), so the process time of each stage is the CPU it costs wherever it runs: ``prepare`` (pure Python;
the workers' share), the pickling to a worker and back, and ``apply`` (decisions and writes in the chunk's
transaction; the writing process's share; the database server's own CPU on PostgreSQL is not in it). The
pieces inside a stage are cProfile's cumulative times of the named functions as a share of the profiled
stage, times the unprofiled stage time (cProfile slows many small calls more than a few large ones, so the
split is approximate; the stage totals are not). On SQLite the FTS5 trigger's share of the INSERT is measured
by inserting one prepared chunk twice in a rolled-back transaction, with and without the trigger.
One JSON line per piece, µs of CPU per row.
"""

from __future__ import annotations

import cProfile
import json
import pickle
import pstats
import tempfile
import time
from pathlib import Path

from bulk_import import make_file
from harness import parser, setup_django, size_of

CHUNK = 5_000

# (label, stage, file suffix and function name as cProfile reports them)
PIECES = [
    ("pinyin_keys (one lazy_pinyin pass)", "prepare", "customers/rules.py", "pinyin_keys"),
    ("clean_uscc (python-stdnum)", "prepare", "customers/rules.py", "clean_uscc"),
    ("clean_resident_id", "prepare", "customers/rules.py", "clean_resident_id"),
    ("column_errors (all column checks)", "prepare", "bulk/customer_import.py", "column_errors"),
    ("_new_customer (model instance, set_name)", "prepare", "bulk/customer_import.py", "_new_customer"),
    ("db_values (encryption, field conversion)", "prepare", "core/writes.py", "db_values"),
    ("audit_view (masked audit values)", "prepare", "customers/services/build.py", "audit_view"),
    ("id_number_indexes (blind index)", "prepare", "customers/blind_index.py", "id_number_indexes"),
    ("lookup query (_load)", "apply", "bulk/customer_import.py", "_load"),
    ("decisions (_decide)", "apply", "bulk/customer_import.py", "_decide"),
    ("customer INSERT (insert_rows)", "apply", "core/writes.py", "insert_rows"),
    ("audit rows (audit_record_many)", "apply", "core/audit.py", "audit_record_many"),
    ("audit sealer after commit (seal)", "apply", "core/audit.py", "seal"),
    ("rejected rows (ImportRowError bulk_create)", "apply", "django/db/models/query.py", "bulk_create"),
]


def main() -> None:
    p = parser(__doc__.splitlines()[0], small=20_000, full=100_000)
    p.add_argument("--chunks", type=int, default=6, help="chunks measured (default 6 = 30,000 rows)")
    args = p.parse_args()
    n = size_of(args)
    db = setup_django(args)
    from django.db import connection, transaction

    from kehu.bulk.importers import SPECS
    from kehu.bulk.models import ImportJob
    from kehu.bulk.services import _chunks, _open, record_rejections
    from kehu.core import services as core_services
    from kehu.core.writes import insert_rows, reserve_ids

    core_services.org_unit_create(code="HQ", name="总部", actor=None)
    path = Path(tempfile.mkdtemp(prefix="kehu-bulk-")) / "customers.csv"
    make_file(path, n)
    spec = SPECS["customers"]
    assert spec.set_based is not None
    context, problem = spec.set_based.context(actor=None, org_code="HQ")
    job = ImportJob.objects.create(target="customers", file_name="p.csv", file_hash="0" * 64, mode="upsert")

    start = time.process_time()
    rows, _header, mapping = _open(spec, path)
    chunks = []
    for index, chunk in enumerate(_chunks(rows, mapping, CHUNK)):
        if index >= args.chunks:
            break
        chunks.append(chunk)
    measured = sum(len(c) for c in chunks)
    read = time.process_time() - start

    profiles = {"prepare": cProfile.Profile(), "apply": cProfile.Profile()}
    cpu = {"prepare": 0.0, "pickle": 0.0, "apply": 0.0}
    wall_apply = 0.0
    pickled = 0
    last_prepared = None

    def apply(prepared) -> None:
        with transaction.atomic():
            outcome = spec.set_based.apply(actor=None, mode="upsert", org_code="HQ", context=context,
                                           problem=problem, prepared=prepared)
            record_rejections(job, outcome)

    for number, chunk in enumerate(chunks):
        t0 = time.process_time()
        spec.set_based.prepare(chunk, context)
        cpu["prepare"] += time.process_time() - t0
        prepared = profiles["prepare"].runcall(spec.set_based.prepare, chunk, context)
        t0 = time.process_time()
        # What crosses to a worker (the raw chunk, the context) and back (the prepared rows).
        pack = getattr(spec.set_based, "pack", None)  # the runner's workers send back pack(prepared) if set
        there, back = pickle.dumps((chunk, context)), pickle.dumps(pack(prepared) if pack else prepared)
        pickle.loads(there)
        pickle.loads(back)
        cpu["pickle"] += time.process_time() - t0
        pickled += len(there) + len(back)
        if number == len(chunks) - 1:
            # The last chunk's apply is profiled; the stage time is that of the others.
            profiles["apply"].runcall(apply, prepared)
            last_prepared = prepared
            continue
        t0, w0 = time.process_time(), time.perf_counter()
        apply(prepared)
        cpu["apply"] += time.process_time() - t0
        wall_apply += time.perf_counter() - w0

    applied = measured - len(chunks[-1])
    per_row = {"prepare": cpu["prepare"] / measured, "pickle": cpu["pickle"] / measured,
               "apply": cpu["apply"] / applied}
    base = {"db": db, "n": n, "rows_measured": measured, "chunk": CHUNK}

    def out(**line) -> None:
        print(json.dumps({**base, **line}, ensure_ascii=False), flush=True)

    out(piece="read + map the CSV", us_per_row=round(read / measured * 1e6, 1))
    for name, value in per_row.items():
        extra = {"pickled_bytes_per_row": round(pickled / measured)} if name == "pickle" else {}
        out(piece=f"stage {name}", us_per_row=round(value * 1e6, 1), **extra)
    out(piece="stage apply, wall clock", us_per_row=round(wall_apply / applied * 1e6, 1))
    for label, stage, suffix, func in PIECES:
        stats = pstats.Stats(profiles[stage])
        total = stats.total_tt  # type: ignore[attr-defined]
        cum = max((v[3] for k, v in stats.stats.items()  # type: ignore[attr-defined]
                   if k[0].endswith(suffix) and k[2] == func), default=0.0)
        share = cum / total if total else 0.0
        out(piece=label, stage=stage, share_of_stage=round(share, 3), us_per_row=round(share * per_row[stage] * 1e6, 1))

    if db == "sqlite" and last_prepared is not None:
        from kehu.bulk.customer_import import INSERT_FIELDS
        from kehu.customers.models import Customer

        rows_in = [r.insert for r in last_prepared if r.insert is not None]
        at = {f.attname: i for i, f in enumerate(INSERT_FIELDS)}
        times = {}
        for trigger in (True, False):
            try:
                with transaction.atomic():
                    if not trigger:
                        with connection.cursor() as cursor:
                            cursor.execute("DROP TRIGGER customers_customer_fts_ai")
                    # The chunk is in already: its rows go in again under new ids and credit codes.
                    ids = reserve_ids(Customer, len(rows_in))
                    values = [(pk, *_fresh(pk, r, at)) for pk, r in zip(ids, rows_in, strict=True)]
                    t0 = time.process_time()
                    insert_rows(Customer, INSERT_FIELDS, values)
                    times[trigger] = time.process_time() - t0
                    raise RuntimeError("roll back")
            except RuntimeError:
                pass
        out(piece="customer INSERT with the FTS5 trigger", us_per_row=round(times[True] / len(rows_in) * 1e6, 1))
        out(piece="customer INSERT without it", us_per_row=round(times[False] / len(rows_in) * 1e6, 1))


def _fresh(pk: int, row: tuple, at: dict[str, int]) -> tuple:
    """The row with other unique values, so it can go in a second time."""
    values = list(row)
    if values[at["uscc"]]:
        values[at["uscc"]] = f"T{pk:017d}"
    values[at["id_number_hash"]] = None
    return tuple(values)


if __name__ == "__main__":
    main()
