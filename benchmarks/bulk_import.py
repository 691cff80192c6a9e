"""P11: customer import of an N-row CSV with 1 % bad rows against a raw bulk load of the same file.

    python benchmarks/bulk_import.py --size 100000 --db sqlite
    python benchmarks/bulk_import.py --size full --db postgres     # 1,000,000 rows

The file: 80 % enterprises (name, credit code, legal representative, registered capital), 20 % individuals
(name, resident ID number, phone, address: personal data that is encrypted and blind-indexed); every 100th
row has a wrong check character.

ours: ``kehu.bulk.services.run_import`` (mode upsert, set-based path: every column validated with the
archive's rules, personal data encrypted, ID blind index, pinyin columns, one lookup query per chunk,
per-customer audit events chained, per-chunk ledger, error file), with ``--workers`` validating processes
(default: the parameter, which is one less than the CPUs). Reported: wall-clock rows/s (the P11 figure) and
rows per CPU-second of the importing process (its children included), since the machine is shared.
baseline: parse the same CSV and ``Customer.objects.bulk_create`` the rows unvalidated, in the same run on
the same (emptied) database. Also checked: the error file holds exactly the bad rows; a second run of the
same file (every row found, compared and left unchanged) creates nothing.
"""

from __future__ import annotations

import csv
import io
import os
import random
import tempfile
import time
from pathlib import Path

from harness import emit, parser, setup_django, size_of

HEADER = ["客户类型", "客户名称", "统一社会信用代码", "身份证号", "电话", "地址", "法定代表人", "注册资本"]


def make_file(path: Path, n: int) -> int:
    from kehu.customers.generators import make_company, make_person_name, make_resident_id, make_uscc

    rng = random.Random(11)
    seen: set[str] = set()
    bad = 0
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(HEADER)
        for i in range(n):
            person = i % 5 == 4
            make = make_resident_id if person else make_uscc
            code = make(rng)
            while code in seen:
                code = make(rng)
            seen.add(code)
            if i % 100 == 99:  # 1 % bad rows: a wrong check character (the right one is unique)
                code = code[:17] + ("1" if code[17] == "0" else "0")
                bad += 1
            if person:
                writer.writerow(["个人", make_person_name(rng), "", code, f"139{i % 100_000_000:08d}",
                                 "北京市朝阳区建国路88号", "", ""])
            else:
                name = make_company(rng)[0].replace("有限公司", f"{i}有限公司")
                writer.writerow(["企业", name, code, "", "", "", make_person_name(rng), "1000000.00"])
    return bad


def main() -> None:
    p = parser(__doc__.splitlines()[0], small=2_000, full=1_000_000)
    p.add_argument("--workers", type=int, default=None, help="validating processes (default: the parameter)")
    args = p.parse_args()
    n = size_of(args)
    db = setup_django(args)
    from django.db import transaction

    from kehu.bulk.models import ImportJob
    from kehu.bulk.services import error_file_bytes, run_import, worker_count
    from kehu.core import services as core_services
    from kehu.core.models import OrgUnit
    from kehu.customers.models import Customer

    core_services.org_unit_create(code="HQ", name="总部", actor=None)
    unit = OrgUnit.objects.get(code="HQ")
    path = Path(tempfile.mkdtemp(prefix="kehu-bulk-")) / "customers.csv"
    bad = make_file(path, n)

    start = time.perf_counter()
    with path.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))[1:]
    with transaction.atomic():
        Customer.objects.bulk_create(
            [Customer(kind="individual" if r[0] == "个人" else "enterprise", name=r[1], uscc=r[2] or None,
                      id_number=r[3], phone=r[4], address=r[5], org_unit=unit, org_path=unit.path) for r in rows],
            batch_size=2000)
    baseline = time.perf_counter() - start
    del rows
    Customer.objects.all().delete()

    cpu = _cpu()
    start = time.perf_counter()
    job = run_import(actor=None, target="customers", path=path, org_code="HQ", workers=args.workers)
    ours = time.perf_counter() - start
    ours_cpu = _cpu() - cpu
    # The error file is kept encrypted (kehu.bulk.services.write_error_file): read it through the service.
    error_rows = len(list(csv.reader(io.StringIO(error_file_bytes(job).decode("utf-8-sig"))))) - 1
    start = time.perf_counter()
    again = run_import(actor=None, target="customers", path=path, org_code="HQ", workers=args.workers)
    rerun = time.perf_counter() - start
    emit("bulk_import_rows_per_s", ours=n / ours, baseline=n / baseline, n=n, db=db, unit="rows/s",
         ours_rows_per_cpu_s=round(n / ours_cpu), workers=worker_count(args.workers), seconds=round(ours, 1),
         created=job.rows_created, rejected=job.rows_rejected, bad_rows=bad, error_file_rows=error_rows,
         error_file_exact=error_rows == bad and job.rows_rejected == bad,
         second_run_rows_per_s=round(n / rerun), second_run_created=again.rows_created,
         second_run_unchanged=again.rows_unchanged, customers=Customer.objects.count(),
         jobs=ImportJob.objects.count(), target_rows_per_s=10_000, load_average=os.getloadavg()[0])


def _cpu() -> float:
    """CPU seconds of this process and its waited-for children (the validating workers)."""
    times = os.times()
    return times.user + times.system + times.children_user + times.children_system


if __name__ == "__main__":
    main()
