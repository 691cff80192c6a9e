"""kehu accounts import FILE.csv [--org CODE] [--as USER]"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from kehu.accounts.importer import import_accounts
from kehu.core.errors import DomainError
from kehu.core.models import User


class Command(BaseCommand):
    help = ("Import personal accounts: account_no,id_number,name,tier,opened_on,channel,bound_account_no,"
            "bound_same_bank,bound_kind. New ID numbers create individual customers.")

    def add_arguments(self, parser):
        parser.add_argument("file", help="accounts CSV: account_no,id_number,name,tier,opened_on,channel,...")
        parser.add_argument("--org", default="", help="org unit code of customers created from new ID numbers")
        parser.add_argument("--as", dest="as_user", default="", help="username the import runs as")

    def handle(self, *args, **opts):
        path = Path(opts["file"])
        if not path.is_file():
            raise CommandError(f"no such file: {path}")
        actor = None
        if opts["as_user"]:
            actor = User.objects.filter(username=opts["as_user"], is_active=True).first()
            if actor is None:
                raise CommandError(f"no such user: {opts['as_user']}")
        try:
            result = import_accounts(path, actor=actor, org_code=opts["org"] or None)
        except DomainError as exc:
            raise CommandError(str(exc.message)) from None
        self.stdout.write(f"{result.rows} rows, {result.created} created, {result.unchanged} unchanged, "
                          f"{len(result.rejected)} rejected")
        if result.error_file:
            self.stdout.write(f"rejected rows: {result.error_file}")
            raise CommandError("some rows were rejected")
