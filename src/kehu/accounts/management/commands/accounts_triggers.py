"""kehu accounts triggers -o FILE.csv"""

import csv
import sys

from django.core.management.base import BaseCommand

from kehu.accounts.exports import trigger_rows
from kehu.core.exports import safe_row


class Command(BaseCommand):
    help = ("Write id_number_masked,customer_id,trigger_txn_id,trigger_date,due_date for each person whose "
            "Class III total reached the threshold.")

    def add_arguments(self, parser):
        parser.add_argument("-o", "--output", default="-", help="CSV file (default: standard output)")

    def handle(self, *args, **opts):
        out = sys.stdout if opts["output"] == "-" else open(opts["output"], "w", encoding="utf-8", newline="")
        try:
            writer = csv.writer(out)
            writer.writerow(["id_number_masked", "customer_id", "trigger_txn_id", "trigger_date", "due_date"])
            writer.writerows(safe_row(r) for r in trigger_rows(user=None))
        finally:
            if out is not sys.stdout:
                out.close()
