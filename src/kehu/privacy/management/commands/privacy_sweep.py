from django.core.management.base import BaseCommand

from kehu.privacy.services import retention_sweep


class Command(BaseCommand):
    help = ("The retention sweeper (PI-5): report what has passed its retention period in every data class "
            "(dry run, the default; counts and customer ids, no personal data); with --apply, act on what a "
            "report listed at least privacy.sweep_grace_days ago.")

    def add_arguments(self, parser):
        parser.add_argument("--apply", action="store_true", help="anonymise, delete or restrict (legal hold)")

    def handle(self, *args, **opts):
        run = retention_sweep(dry_run=not opts["apply"])
        for item in run.items:
            held = f" (legal hold {', '.join(item.get('holds', []))}: restricted, not erased)" if item["held"] else ""
            self.stdout.write(f"customer {item['customer']}: {item['policy']} -> {item['action']}{held}")
        for c in run.classes:
            note = f" [{c['note']}]" if c.get("note") else ""
            self.stdout.write(f"{c['class']}: {c['expired']} past the period, {c['held']} under a legal hold, "
                              f"{c['action']} {c['acted']}{note}")
        self.stdout.write(f"{len(run.items)} persons past their retention period; erased {run.erased}, "
                          f"restricted {run.restricted}" + ("" if opts["apply"] else " (dry run: nothing changed)"))
