"""The daily credit jobs: expire reservations past their time, mature lines (or mark renewal pending),
shrink lapsed temporary lines. ``kehu manage credit_expire [--today YYYY-MM-DD]``."""

from __future__ import annotations

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from kehu.credit import services


class Command(BaseCommand):
    help = "Expire reservations and matured lines; shrink lapsed temporary lines."

    def add_arguments(self, parser):
        parser.add_argument("--today", help="run as of this date (YYYY-MM-DD); default today in Asia/Shanghai")

    def handle(self, *args, **opts):
        today = None
        if opts.get("today"):
            try:
                today = date.fromisoformat(opts["today"])
            except ValueError:
                raise CommandError("--today must be a date, YYYY-MM-DD") from None
        expired = 0
        while True:  # in batches, each use in its own transaction: a killed run resumes where it stopped
            n = services.use_expire_due()
            expired += n
            if n == 0:
                break
        counts = services.line_expire_due(today=today)
        self.stdout.write(f"reservations expired: {expired}; lines expired: {counts['expired']}; "
                          f"renewal pending: {counts['renewal_pending']}; temporary lines lapsed: "
                          f"{counts['temp_lapsed']}")
