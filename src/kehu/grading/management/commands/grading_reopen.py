"""kehu grading reopen --period 2026-10 --reason "...": allow a closed period to be run again (audited)."""

from django.core.management.base import BaseCommand, CommandError

from kehu.core.errors import DomainError
from kehu.grading.services.run import run_reopen


class Command(BaseCommand):
    help = "Reopen a closed grading period so it can be run again; the reason is audited."

    def add_arguments(self, parser):
        parser.add_argument("--period", required=True, help="the closed month to reopen, e.g. 2026-10")
        parser.add_argument("--reason", required=True, help="why it is reopened (written to the audit log)")

    def handle(self, *args, **opts):
        try:
            run = run_reopen(actor=None, period=opts["period"], reason=opts["reason"])
        except DomainError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(f"{run.period:%Y-%m}: reopened")
