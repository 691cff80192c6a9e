from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from kehu.core.models import ScheduledRun
from kehu.core.scheduler import JOBS


class Command(BaseCommand):
    help = "List the scheduled jobs, the slot due now and their last runs."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--runs", type=int, default=3, help="last runs shown per job (default 3)")

    def handle(self, *args: Any, **opts: Any) -> None:
        now = timezone.localtime()
        for code in sorted(JOBS):
            job = JOBS[code]
            self.stdout.write(f"{code}\t{job.description}\tdue now: {job.slot(now) or '-'}")
            for run in ScheduledRun.objects.filter(job=code).order_by("-started_at")[: max(0, opts["runs"])]:
                finished = timezone.localtime(run.finished_at).isoformat(timespec="seconds") if run.finished_at else "-"
                self.stdout.write(f"  {run.slot}\t{run.state}\tattempts {run.attempts}\tfinished {finished}\t"
                                  f"{run.error.splitlines()[-1] if run.error else run.result}")
