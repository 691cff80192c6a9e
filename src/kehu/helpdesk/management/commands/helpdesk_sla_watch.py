from datetime import datetime

from django.core.management.base import BaseCommand, CommandError

from kehu.helpdesk.watch import sla_watch


class Command(BaseCommand):
    help = "Warn tickets near their SLA, record breaches and escalate (run every 15 minutes)."

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
                raise CommandError("--now needs a UTC offset, e.g. 2025-10-09T10:00+08:00")
        result = sla_watch(now=now)
        self.stdout.write(f"breached={result['breached']} warned={result['warned']}")
