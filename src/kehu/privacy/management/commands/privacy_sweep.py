from django.core.management.base import BaseCommand

from kehu.privacy.services import retention_sweep


class Command(BaseCommand):
    help = ("The retention sweeper (PI-5): list what has passed its retention period (dry run, the default); "
            "with --apply, act on records an earlier report listed at least privacy.sweep_grace_days ago.")

    def add_arguments(self, parser):
        parser.add_argument("--apply", action="store_true", help="anonymise, delete or restrict (legal hold)")

    def handle(self, *args, **opts):
        run = retention_sweep(dry_run=not opts["apply"])
        for item in run.items:
            held = " (legal hold: restricted, not erased)" if item["held"] else ""
            self.stdout.write(f"customer {item['customer']}: {item['policy']} -> {item['action']}{held}")
        self.stdout.write(f"{len(run.items)} past their retention period; erased {run.erased}, "
                          f"restricted {run.restricted}" + ("" if opts["apply"] else " (dry run: nothing changed)"))
