import sys

from django.core.management.base import BaseCommand

from kehu.backup.services import backup_verify

from ._progress import ProgressBars


class Command(BaseCommand):
    help = "Open a backup set without restoring it: decrypt and check every part against its manifest."

    def add_arguments(self, parser):
        parser.add_argument("file", metavar="FILE", help="the backup set to check")

    def handle(self, *args, **opts):
        with ProgressBars() as bars:
            report = backup_verify(opts["file"], progress=bars)
        m = report.manifest
        self.stdout.write(f"made {m['created_at']} by kehu {m['kehu_version']} on {m['engine']}; {report.tables} "
                          f"tables, {report.rows} rows, {report.documents} documents; data keys needed: "
                          f"{', '.join(m['data_key_ids']) or '-'}")
        for problem in report.problems:
            self.stdout.write(f"PROBLEM: {problem}")
        self.stdout.write("OK" if report.ok else f"FAILED: {len(report.problems)} problems")
        if not report.ok:
            sys.exit(1)
