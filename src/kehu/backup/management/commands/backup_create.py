from django.core.management.base import BaseCommand

from kehu.backup.bundle import ask_passphrase
from kehu.backup.models import BackupRun
from kehu.backup.services import backup_create

from ._progress import ProgressBars


class Command(BaseCommand):
    help = "Make a consistent, encrypted backup set of the database and the document files (kehu backup create)."

    def add_arguments(self, parser):
        parser.add_argument("--to", metavar="DIR", help="directory for the set (default: KEHU_BACKUP_DIR or "
                                                        "KEHU_HOME/backups)")
        parser.add_argument("--kind", choices=[k.value for k in BackupRun.Kind], default=BackupRun.Kind.MANUAL,
                            help="what the run log records the set as (default manual)")
        parser.add_argument("--key-bundle", metavar="FILE",
                            help="also write the data keys the set needs and the audit key to FILE, encrypted under "
                                 "a passphrase (KEHU_KEY_BUNDLE_PASSPHRASE, else asked twice); keep it apart "
                                 "from the set")

    def handle(self, *args, **opts):
        bundle_file = opts.get("key_bundle")
        passphrase = ask_passphrase(twice=True) if bundle_file else None
        with ProgressBars() as bars:
            run = backup_create(kind=opts["kind"], to=opts.get("to"), progress=bars, key_bundle=bundle_file,
                                passphrase=passphrase)
        self.stdout.write(f"{run.path}\n{run.tables} tables, {run.rows} rows, {run.documents} documents, "
                          f"{run.size} bytes, backup key {run.backup_key_id}, data keys needed: "
                          f"{', '.join(run.data_key_ids) or '-'}")
        if bundle_file:
            self.stdout.write(f"key bundle: {bundle_file}")
        if run.error:
            self.stderr.write(run.error)
