"""The shared body of ``kehu import sales|deliveries|invoices|payments FILE``: the bulk app's resumable
import with the trade facts' spec (``kehu.trade.imports``). Re-running the same file resumes it; once done,
running it again changes nothing (every reference is already on file with the same values)."""

import argparse
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from kehu.bulk.models import ImportMode
from kehu.bulk.services import error_download, run_import
from kehu.core.errors import DomainError
from kehu.core.files import private_write
from kehu.core.models import User


class FactsImportCommand(BaseCommand):
    target = ""

    def add_arguments(self, parser):
        parser.add_argument("file", help="CSV (UTF-8 or GB18030) or XLSX file in the template's columns")
        parser.add_argument("--mode", default=ImportMode.UPSERT, choices=ImportMode.values,
                            help="create: never change a recorded fact; update: only correct; upsert: both")
        parser.add_argument("--as", dest="as_user", default="", help="username the import runs as (scope, audit)")
        parser.add_argument("--chunk", type=int, default=None, help="rows per committed chunk")
        parser.add_argument("--chunk-pause", type=float, default=0.0, help=argparse.SUPPRESS)
        parser.add_argument("--errors", default="", metavar="FILE",
                            help="write the rejected rows readable to FILE (0600; masked unless --as may unmask)")

    def handle(self, *args, **opts):
        # rich loads only for an operator's progress bar
        from rich.progress import Progress

        path = Path(opts["file"])
        if not path.is_file():
            raise CommandError(f"no such file: {path}")
        actor = None
        if opts["as_user"]:
            actor = User.objects.filter(username=opts["as_user"], is_active=True).first()
            if actor is None:
                raise CommandError(f"no such user: {opts['as_user']}")
        extra = {"chunk_rows": max(1, opts["chunk"])} if opts["chunk"] else {}
        try:
            with Progress(disable=not self.stdout.isatty()) as bar:
                task = bar.add_task(f"import {path.name}", total=None)
                job = run_import(actor=actor, target=self.target, path=path, mode=opts["mode"],
                                 progress=lambda n: bar.advance(task, n), chunk_pause=opts["chunk_pause"], **extra)
        except DomainError as exc:
            raise CommandError(str(exc.message)) from None
        self.stdout.write(f"job {job.pk}: {job.rows_total} rows, {job.rows_created} created, "
                          f"{job.rows_updated} updated, {job.rows_unchanged} unchanged, "
                          f"{job.rows_rejected} rejected")
        if job.error_file:
            # Kept encrypted under KEHU_HOME like documents (issue 11, defect 4); --errors writes a readable copy.
            self.stdout.write(f"rejected rows: {job.error_file} (encrypted)")
            if opts["errors"]:

                private_write(Path(opts["errors"]), error_download(job=job, actor=actor, channel="cli"))
                self.stdout.write(f"rejected rows written to {opts['errors']}")
