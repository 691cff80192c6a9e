"""kehu accounts ingest FILE.csv [--workers N]"""

import argparse
import sys
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from kehu.accounts.ingest import ingest
from kehu.core.errors import DomainError
from kehu.core.jobs import job_submit


class Command(BaseCommand):
    help = ("Ingest transactions: txn_id,account_no,posted_at,direction,type,amount. Counters, breaches and the "
            "Class III 50,000 trigger are computed; idempotent by txn_id; a killed run is simply run again.")

    def add_arguments(self, parser):
        parser.add_argument("file", help="transactions CSV: txn_id,account_no,posted_at,direction,type,amount")
        parser.add_argument("--workers", type=int, default=1, help="processes that parse the file (default 1)")
        parser.add_argument("--background", action="store_true",
                            help="queue the ingest as a background job and print its id (the worker must be able "
                                 "to read FILE); follow it with GET /api/v1/jobs/ID")
        parser.add_argument("--stage-pause", type=float, default=0.0, help=argparse.SUPPRESS)  # kill tests

    def handle(self, *args, **opts):
        path = Path(opts["file"])
        if not path.is_file():
            raise CommandError(f"no such file: {path}")
        if not 1 <= opts["workers"] <= 64:
            raise CommandError("--workers must be 1-64")
        if opts["background"]:

            job = job_submit(kind="accounts.ingest", params={"path": str(path.resolve()), "workers": opts["workers"]},
                             in_thread=False)
            self.stdout.write(f"job {job.pk} queued; a worker (kehu serve's, or kehu worker) runs it; "
                              f"follow it with GET /api/v1/jobs/{job.pk}")
            return

        def progress(stage: str) -> None:
            print(f"... {stage}", file=sys.stderr, flush=True)
            time.sleep(opts["stage_pause"])

        try:
            run = ingest(path, workers=opts["workers"], progress=progress)
        except DomainError as exc:
            raise CommandError(str(exc.message)) from None
        self.stdout.write(f"ingest {run.pk}: {run.rows_total} rows, {run.rows_new} new, {run.rows_duplicate} "
                          f"already ingested, {run.rows_rejected} rejected, {run.breaches} breaches on the "
                          f"accounts touched, {run.tasks_created} remediation tasks")
        if run.error_file:
            self.stdout.write(f"rejected rows: {run.error_file}")
