import sys

from django.core.management.base import BaseCommand

from kehu.backup.services import restore_drill


class Command(BaseCommand):
    help = "Restore drill (D-2): restore the newest good set into a scratch file, check it, record the result."

    def handle(self, *args, **opts):
        drill = restore_drill()
        self.stdout.write(f"{'passed' if drill.ok else 'FAILED'} in {drill.seconds:.1f} s")
        for problem in drill.problems:
            self.stdout.write(f"PROBLEM: {problem}")
        if not drill.ok:
            sys.exit(1)
