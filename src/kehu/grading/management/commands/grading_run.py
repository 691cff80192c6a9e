"""kehu grading run --period 2026-10: grade every tradable customer from the facts of the month before."""

from django.core.management.base import BaseCommand, CommandError

from kehu.core.errors import DomainError
from kehu.grading.services.run import results_digest, run_period


class Command(BaseCommand):
    help = "Grade every tradable customer for a period (resumes a killed run; a closed period needs a reopen)."

    def add_arguments(self, parser):
        parser.add_argument("--period", required=True, help="the month graded, e.g. 2026-10 (facts of 2026-09)")
        parser.add_argument("--chunk-size", type=int, default=None, help="customer ids per committed chunk")
        parser.add_argument("--chunk-pause", type=float, default=0.0,
                            help="seconds to wait between chunks, to spare a busy database")
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")

    def handle(self, *args, **opts):
        try:
            if opts["no_progress"] or opts["verbosity"] == 0:
                run = run_period(actor=None, period=opts["period"], chunk_size=opts["chunk_size"],
                                 chunk_pause=opts["chunk_pause"])
            else:
                # rich loads only for an operator's progress bar
                from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

                with Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.percentage:>5.1f}%"),
                              TimeRemainingColumn(), transient=False) as bar:
                    task = bar.add_task(f"grading {opts['period']}", total=1)

                    def progress(done: int, total: int) -> None:
                        bar.update(task, completed=done, total=total)

                    run = run_period(actor=None, period=opts["period"], chunk_size=opts["chunk_size"],
                                     progress=progress, chunk_pause=opts["chunk_pause"])
        except DomainError as exc:
            raise CommandError(exc.message) from None
        if opts["verbosity"]:
            self.stdout.write(f"{run.period:%Y-%m}: {run.customers_graded} customers graded, state {run.state}, "
                              f"digest {results_digest(run.period)[:16]}")
