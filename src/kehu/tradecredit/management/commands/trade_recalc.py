"""kehu trade recalc --period 2026-10: recalculate trade credit limits from the period's grades (L-6).

The grading run does this by itself when it closes; the command is for a recalculation after the parameters
changed, or after an interrupted one (each chunk commits, a re-run finishes the rest and repeats nothing)."""

from django.core.management.base import BaseCommand, CommandError

from kehu.core.errors import DomainError
from kehu.tradecredit.services import credit_limits_recalculate


class Command(BaseCommand):
    help = "Recalculate every graded customer's trade credit limit for a period: decreases apply at once, " \
           "increases wait for approval."

    def add_arguments(self, parser):
        parser.add_argument("--period", required=True, help="the grading period, e.g. 2026-10")
        parser.add_argument("--chunk-size", type=int, default=None, help="customer ids per committed chunk")

    def handle(self, *args, **opts):
        try:
            result = credit_limits_recalculate(actor=None, period=opts["period"], chunk_size=opts["chunk_size"])
        except DomainError as exc:
            raise CommandError(exc.message) from None
        if result.skipped:
            self.stdout.write(f"{result.period:%Y-%m}: skipped, limits were already recalculated for a later period")
            return
        self.stdout.write(f"{result.period:%Y-%m}: {result.graded} graded customers, {result.decreased} limits "
                          f"decreased, {result.requested} increases waiting for approval, {result.superseded} "
                          f"earlier requests superseded")
