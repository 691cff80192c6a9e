from datetime import datetime

from django.core.management.base import BaseCommand, CommandError

from kehu.surveys.services import surveys_dispatch


class Command(BaseCommand):
    help = "Send the satisfaction surveys that are due (after visits, closed complaints, quarterly A/B customers)."

    def add_arguments(self, parser):
        parser.add_argument("--now", help="ISO datetime with offset (for replays); default: now")

    def handle(self, *args, **opts):
        now = None
        if opts.get("now"):
            try:
                now = datetime.fromisoformat(opts["now"])
            except ValueError as exc:
                raise CommandError(f"--now must be an ISO datetime: {exc}") from exc
            if now.tzinfo is None:
                raise CommandError("--now needs a UTC offset, e.g. 2026-10-09T10:00+08:00")
        result = surveys_dispatch(now=now)
        self.stdout.write(" ".join(f"{k}={v}" for k, v in result.items()))
