"""kehu export template [-o FILE]"""

from pathlib import Path

from django.core.management.base import BaseCommand

from kehu.bulk.exports import export_template


class Command(BaseCommand):
    help = "Write the customer import template (XLSX, or CSV if the file name ends in .csv)."

    def add_arguments(self, parser):
        parser.add_argument("-o", "--output", default="客户导入模板.xlsx",
                            help="file to write (default: %(default)s; .csv for CSV)")

    def handle(self, *args, **opts):
        out = Path(opts["output"])
        export_template(out, "csv" if out.suffix.lower() == ".csv" else "xlsx")
        self.stdout.write(f"template written to {out}")
