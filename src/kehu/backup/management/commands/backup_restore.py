import sys

from django.core.management.base import BaseCommand

from kehu.backup.bundle import ask_passphrase
from kehu.backup.services import backup_restore

from ._progress import ProgressBars


class Command(BaseCommand):
    help = ("Restore a backup set into a new SQLite file or an empty PostgreSQL database, then check every table, "
            "document and the audit chain against the manifest.")

    def add_arguments(self, parser):
        parser.add_argument("file", metavar="FILE", help="the backup set to restore")
        parser.add_argument("--into", required=True, metavar="TARGET",
                            help="a new SQLite file path, or postgresql://... of an empty database")
        parser.add_argument("--files-dir", required=True, metavar="DIR",
                            help="empty directory for the document files (KEHU_HOME/files of the restored kehu)")
        parser.add_argument("--key-bundle", metavar="FILE",
                            help="the key bundle written with the set (passphrase: KEHU_KEY_BUNDLE_PASSPHRASE, "
                                 "else asked); its keys are used besides the configured ones")

    def handle(self, *args, **opts):
        bundle_file = opts.get("key_bundle")
        passphrase = ask_passphrase(twice=False) if bundle_file else None
        with ProgressBars() as bars:
            report = backup_restore(opts["file"], into=opts["into"], files_dir=opts["files_dir"], progress=bars,
                                    key_bundle=bundle_file, passphrase=passphrase)
        self.stdout.write(f"{report.tables} tables, {report.rows} rows, {report.documents} documents checked "
                          f"in {report.seconds:.1f} s")
        for hook, result in report.post_restore.items():
            self.stdout.write(f"after the restore, {hook}: {result}")
        for problem in report.problems:
            self.stdout.write(f"PROBLEM: {problem}")
        self.stdout.write("OK: the restore matches the backup" if report.ok
                          else f"FAILED: {len(report.problems)} differences")
        if not report.ok:
            sys.exit(1)
