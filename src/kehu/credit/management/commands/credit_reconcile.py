"""The nightly reconciliation (domain spec B-4): every line's and sub-limit's counters against the sum of
its uses, and the invariant outstanding + reserved <= line. Exits non-zero when anything is off."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from kehu.credit.selectors_reconcile import reconcile


class Command(BaseCommand):
    help = "Check every credit line's counters against its uses and the limit invariant."

    def handle(self, *args, **opts):
        problems = reconcile()
        for p in problems[:200]:
            self.stdout.write(f"{p['kind']}: line {p['line']} {p.get('detail', '')}")
        if problems:
            raise CommandError(f"{len(problems)} problem(s) found")
        self.stdout.write("all lines reconcile")
