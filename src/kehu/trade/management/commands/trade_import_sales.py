"""kehu import sales FILE [--mode upsert] [--as USER]"""

from kehu.trade.management.commands._facts_import import FactsImportCommand


class Command(FactsImportCommand):
    help = "Import trade facts (sales) from a CSV (UTF-8 or GB18030) or XLSX file; re-running a file resumes it."
    target = "sales"
