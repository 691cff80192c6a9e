"""Month-end statistics: freeze the month, draft and validate the large-credit table, check concentration,
and optionally write the XLSX and XML. ``kehu manage exposure_month 2026-10 --out /tmp/report``."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from kehu.core.errors import DomainError
from kehu.exposure import services
from kehu.exposure.models import StatFreeze


class Command(BaseCommand):
    help = "Freeze a month, draft the large-credit table, check concentration, export."

    def add_arguments(self, parser):
        parser.add_argument("period", help="YYYY-MM")
        parser.add_argument("--org-code", default="", help="reporting institution code in the table header")
        parser.add_argument("--preparer", default="", help="name of the preparer (填表人) in the header")
        parser.add_argument("--phone", default="", help="the preparer's phone in the header")
        parser.add_argument("--reviewer", default="", help="name of the reviewer (复核人) in the header")
        parser.add_argument("--out", help="directory for the XLSX and XML files")

    def handle(self, *args, **o):
        period = o["period"]
        try:
            if not StatFreeze.objects.filter(period=period).exists():
                freeze = services.month_freeze(actor=None, period=period, channel="cli")
                self.stdout.write(f"frozen {period}: {freeze.customers} customers")
            report = services.report_draft(actor=None, period=period, org_code=o["org_code"],
                                           preparer=o["preparer"], phone=o["phone"], reviewer=o["reviewer"],
                                           channel="cli")
        except DomainError as exc:
            raise CommandError(str(exc.message)) from None
        self.stdout.write(f"report {report.pk}: {report.rows.count()} rows, {len(report.problems)} problem(s)")
        for problem in report.problems:
            self.stdout.write(f"  {problem}")
        try:
            alerts = services.concentration_check(actor=None, period=period, channel="cli")
            self.stdout.write(f"concentration alerts: {len(alerts)}")
        except DomainError as exc:
            self.stdout.write(f"concentration not checked: {exc.message}")
        if o.get("out"):
            out = Path(o["out"])
            out.mkdir(parents=True, exist_ok=True)
            for fmt in ("xlsx", "xml"):
                try:
                    data, _ctype, name = services.report_export(actor=None, report_id=report.pk, fmt=fmt,
                                                                channel="cli")
                except DomainError as exc:
                    raise CommandError(str(exc.message)) from None
                (out / name).write_bytes(data)
                self.stdout.write(f"wrote {out / name}")
