"""P11: reading an N-row import workbook with python-calamine (kehu.bulk.readers) against openpyxl's read-only
mode (the reader before), the same cells from both.

    python benchmarks/xlsx_read.py --size 100000

The workbook is bulk_import.py's file written by openpyxl; timed is ``read_rows`` over the whole sheet (each
reader's parsing plus the shared cleaning), one run each after a warm-up of the file cache.
"""

from __future__ import annotations

import csv
import tempfile
import time
from pathlib import Path

from bulk_import import make_file
from harness import emit, parser, setup_django, size_of


def main() -> None:
    p = parser(__doc__.splitlines()[0], small=10_000, full=100_000)
    args = p.parse_args()
    n = size_of(args)
    setup_django(args)
    import openpyxl

    from kehu.bulk import readers

    folder = Path(tempfile.mkdtemp(prefix="kehu-xlsx-"))
    make_file(folder / "c.csv", n)
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet()
    with (folder / "c.csv").open(encoding="utf-8-sig", newline="") as fh:
        for row in csv.reader(fh):
            sheet.append([int(c) if c.isdigit() and len(c) < 10 else c for c in row])
    path = folder / "c.xlsx"
    book.save(path)
    limits = {"max_rows": n + 10, "max_columns": 100}
    path.read_bytes()

    start = time.perf_counter()
    ours = list(readers.read_rows(path, **limits))
    calamine = time.perf_counter() - start
    original = readers._calamine_rows
    readers._calamine_rows = lambda *_args: None
    try:
        start = time.perf_counter()
        theirs = list(readers.read_rows(path, **limits))
        reference = time.perf_counter() - start
    finally:
        readers._calamine_rows = original
    emit("xlsx_read_seconds", ours=calamine, baseline=reference, n=n, db="none", unit="s", better="lower",
         rows_per_s=round(n / calamine), openpyxl_rows_per_s=round(n / reference), same_cells=ours == theirs,
         file_mb=round(path.stat().st_size / 2**20, 1))


if __name__ == "__main__":
    main()
