import time
from datetime import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kehu.core.scheduler import JOBS, run_due


class Command(BaseCommand):
    help = ("Run the scheduled jobs that are due (grading on working day 5, the SLA watcher every 15 minutes, "
            "the daily credit expiry). Call it from cron or a systemd timer every few minutes; each slot runs "
            "once however many servers call it. Where background workers exist (KEHU_BROKER_URL, or "
            "KEHU_JOB_RUNNER=worker) a due slot is queued for them; --inline runs it in this process.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--job", action="append", dest="jobs", metavar="CODE",
                            help="only this job (repeatable); see `kehu schedule list`")
        parser.add_argument("--now", help="ISO datetime with offset, to replay a tick; default: now")
        parser.add_argument("--inline", action="store_true",
                            help="run the due slots in this process even where workers exist")
        parser.add_argument("--loop", type=int, metavar="SECONDS",
                            help="keep running, one tick every SECONDS (a small daemon instead of cron)")

    def handle(self, *args: Any, **opts: Any) -> None:
        unknown = sorted(set(opts.get("jobs") or []) - set(JOBS))
        if unknown:
            raise CommandError(f"unknown job(s): {', '.join(unknown)}; known: {', '.join(sorted(JOBS))}")
        now = None
        if opts.get("now"):
            try:
                now = datetime.fromisoformat(opts["now"])
            except ValueError as exc:
                raise CommandError(f"--now must be an ISO datetime: {exc}") from exc
            if now.tzinfo is None:
                raise CommandError("--now needs a UTC offset, e.g. 2026-10-13T02:00+08:00")
        if opts.get("loop") is not None and opts["loop"] < 1:
            raise CommandError("--loop must be at least 1 second")
        failed = False
        while True:
            for o in run_due(now=now, only=opts.get("jobs"), inline=True if opts.get("inline") else None):
                failed |= o.state == "failed"
                self.stdout.write(f"{o.job}\t{o.slot or '-'}\t{o.state}\t{o.detail if o.detail is not None else ''}")
            if not opts.get("loop"):
                break
            time.sleep(opts["loop"])
        if failed:
            raise CommandError("a scheduled job failed; it is retried on the next tick (see `kehu schedule list`)")
