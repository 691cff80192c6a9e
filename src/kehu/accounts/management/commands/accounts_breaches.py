"""kehu accounts breaches -o FILE.csv"""

import csv
import sys

from django.core.management.base import BaseCommand

from kehu.accounts.exports import breach_rows
from kehu.core.exports import safe_row


class Command(BaseCommand):
    help = "Write txn_id,rule for every transaction that broke a limit or rule (one line per rule)."

    def add_arguments(self, parser):
        parser.add_argument("-o", "--output", default="-", help="CSV file (default: standard output)")

    def handle(self, *args, **opts):
        out = sys.stdout if opts["output"] == "-" else open(opts["output"], "w", encoding="utf-8", newline="")
        try:
            writer = csv.writer(out)
            writer.writerow(["txn_id", "rule"])
            writer.writerows(safe_row(r) for r in breach_rows(user=None))
        finally:
            if out is not sys.stdout:
                out.close()
