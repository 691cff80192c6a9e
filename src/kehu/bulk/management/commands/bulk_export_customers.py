"""kehu export customers [--format xlsx|csv] [filters] -o FILE"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from kehu.bulk.exports import export_customers
from kehu.core.errors import DomainError
from kehu.core.models import User

FILTER_HELP = {
    "q": "search text: name, pinyin, initials, credit code or ID number",
    "kind": "customer kind (enterprise, individual, ...)",
    "status": "admission status (prospect, qualified, active, ...)",
    "org": "org unit code: that unit and the units below it",
    "region": "region",
    "industry": "industry",
    "grade": "customer grade",
}


class Command(BaseCommand):
    help = "Export the customers a user may see (masked without unmask permission) to XLSX or CSV."

    def add_arguments(self, parser):
        parser.add_argument("-o", "--output", required=True, help="file to write (.xlsx or .csv)")
        parser.add_argument("--format", choices=["xlsx", "csv"], default="",
                            help="file format (default: from the file name)")
        parser.add_argument("--as", dest="as_user", default="",
                            help="username whose data scope and unmask permission apply")
        parser.add_argument("--request", type=int, default=None,
                            help="an approved export request (more rows than bulk.export_approval_rows)")
        for name in ("q", "kind", "status", "org", "region", "industry", "grade"):
            parser.add_argument(f"--{name}", default="", help=FILTER_HELP[name])

    def handle(self, *args, **opts):
        out = Path(opts["output"])
        fmt = opts["format"] or ("csv" if out.suffix.lower() == ".csv" else "xlsx")
        actor = None
        if opts["as_user"]:
            actor = User.objects.filter(username=opts["as_user"], is_active=True).first()
            if actor is None:
                raise CommandError(f"no such user: {opts['as_user']}")
        filters = {k: opts[k] for k in ("q", "kind", "status", "region", "industry", "grade")}
        filters["org_code"] = opts["org"]

        try:
            count = export_customers(actor=actor, path=out, fmt=fmt, filters=filters, request_id=opts["request"])
        except DomainError as exc:
            raise CommandError(str(exc.message)) from None
        self.stdout.write(f"{count} customers written to {out}")
