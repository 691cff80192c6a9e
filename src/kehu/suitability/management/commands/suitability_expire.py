"""``kehu suitability expire``: expire risk assessments past their validity (M-12), flag subscriptions whose
cooling-off period has ended for the call-back (M-14), and raise filing warnings (M-1, M-2). The same work
runs daily on the scheduler (``suitability.daily_expire``)."""

from __future__ import annotations

from datetime import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from kehu.suitability.services import suitability_expire


class Command(BaseCommand):
    help = "Expire risk assessments, end cooling-off periods for the call-back, and raise filing warnings."

    def add_arguments(self, parser):
        parser.add_argument("--now", help="run as of this moment (ISO 8601, e.g. 2026-12-07T09:00+08:00)")

    def handle(self, *args, **opts):
        now = None
        if opts.get("now"):
            try:
                now = datetime.fromisoformat(opts["now"])
            except ValueError:
                raise CommandError("--now must be an ISO 8601 date-time") from None
            if timezone.is_naive(now):
                now = timezone.make_aware(now)
        counts = suitability_expire(now=now)
        self.stdout.write(f"assessments expired: {counts['assessments_expired']}; call-backs due: "
                          f"{counts['callbacks_due']}; filings warned: {counts['warned']}; filings overdue: "
                          f"{counts['overdue']}")
