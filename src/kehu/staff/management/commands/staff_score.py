from django.core.management.base import BaseCommand, CommandError

from kehu.core.errors import DomainError
from kehu.staff.services import scorecards_compute


class Command(BaseCommand):
    help = "Compute the monthly scorecards of the service and reception staff (also on the schedule)."

    def add_arguments(self, parser):
        parser.add_argument("--period", required=True, help="the month, YYYY-MM")

    def handle(self, *args, **opts):
        try:
            result = scorecards_compute(period=opts["period"])
        except DomainError as exc:
            raise CommandError(str(exc.message)) from exc
        self.stdout.write(" ".join(f"{k}={v}" for k, v in result.items()))
