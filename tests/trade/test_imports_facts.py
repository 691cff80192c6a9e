"""Bulk import of the trade facts through the bulk machinery: Chinese and English headers, customers named by
credit code or ID number, error rows in the error file, the three modes, a re-run that creates nothing, and
the ``kehu import sales|deliveries|invoices|payments`` commands."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone
from tests.trade import facts_world

from kehu.bulk.models import ImportStatus
from kehu.bulk.services import run_import
from kehu.core.models import AuditEvent
from kehu.customers.generators import make_uscc
from kehu.trade import selectors
from kehu.trade.events import TradeFactEvent
from kehu.trade.models import Delivery, Invoice, Payment, SalesRecord

fworld, customer = facts_world.fworld, facts_world.customer

TODAY = timezone.localdate()
M1 = (TODAY.replace(day=1) - timedelta(days=1)).replace(day=1)  # last month: history
M2 = (M1 - timedelta(days=1)).replace(day=1)


def write_csv(path, header, rows, encoding="utf-8-sig"):
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(header)
    writer.writerows(rows)
    path.write_bytes(buf.getvalue().encode(encoding))
    return path


def error_rows(job):
    from kehu.bulk.services import error_file_bytes

    return list(csv.reader(io.StringIO(error_file_bytes(job).decode("utf-8-sig"))))[1:]


def test_sales_import_with_chinese_headers_rejects_bad_rows_and_a_rerun_creates_nothing(fworld, customer, tmp_path):
    other = fworld.individual()
    rows = [
        [customer.uscc, "", "XS-1", f"{M2:%Y-%m}", "1,200,000.00"],
        [customer.uscc, "", "XS-2", f"{M1:%Y/%m}", "800000"],
        ["", other.id_number, "XS-3", f"{M1:%Y年%m月}", "3000.50"],  # a prospect: history is taken as it was
        [make_uscc(fworld.rng), "", "XS-4", f"{M1:%Y-%m}", "5"],  # no such customer
        [customer.uscc, "", "XS-5", f"{M1:%Y-%m}-15", "5"],  # not a month
        [customer.uscc, "", "XS-6", f"{M1:%Y-%m}", "-5"],
        ["", "", "XS-7", f"{M1:%Y-%m}", "5"],
    ]
    path = write_csv(tmp_path / "sales.csv", ["统一社会信用代码", "身份证号", "单据号", "月份", "金额"], rows, "gb18030")
    job = run_import(actor=fworld.bj_office, target="sales", path=path)
    assert (job.status, job.rows_created, job.rows_rejected) == (ImportStatus.DONE, 3, 4)
    assert SalesRecord.objects.get(reference="XS-1").amount == Decimal("1200000.00")
    assert SalesRecord.objects.get(reference="XS-3").customer_id == other.pk
    rejected = error_rows(job)
    assert [r[2] for r in rejected] == ["XS-4", "XS-5", "XS-6", "XS-7"]
    reasons = " ".join(r[-1] for r in rejected)
    for code in ("unknown_customer", "period_not_month_start", "out_of_range", "required"):
        assert code in reasons
    assert AuditEvent.objects.filter(event_code=TradeFactEvent.SALES_RECORDED, channel="import").count() == 3
    again = run_import(actor=fworld.bj_office, target="sales", path=path)
    assert (again.rows_created, again.rows_updated, again.rows_unchanged, again.rows_rejected) == (0, 0, 3, 4)
    assert SalesRecord.objects.count() == 3
    assert AuditEvent.objects.filter(event_code__in=[TradeFactEvent.SALES_RECORDED,
                                                     TradeFactEvent.SALES_CORRECTED]).count() == 3


def test_deliveries_invoices_and_payments_with_english_headers(fworld, customer, tmp_path):
    due = M1 + timedelta(days=4)
    deliveries = write_csv(tmp_path / "d.csv", ["credit code", "delivery number", "due on", "quantity due", "amount",
                                                "delivered on", "quantity delivered"], [
        [customer.uscc, "JH-1", due.isoformat(), "100", "500000.00", due.isoformat(), "100"],
        [customer.uscc, "JH-2", due.isoformat(), "50", "250000.00", (due + timedelta(days=3)).isoformat(), "40"],
        [customer.uscc, "JH-3", due.isoformat(), "50", "250000.00", "", "30"],  # delivered quantity without a day
    ])
    job = run_import(actor=fworld.bj_cm, target="deliveries", path=deliveries)
    assert (job.rows_created, job.rows_rejected) == (2, 1), error_rows(job)
    invoices = write_csv(tmp_path / "i.csv", ["credit code", "invoice number", "issued on", "due on", "amount",
                                              "deliveries"], [
        [customer.uscc, "FP-1", due.isoformat(), (due + timedelta(days=10)).isoformat(), "700000.00", "JH-1;JH-2"],
        [customer.uscc, "FP-2", due.isoformat(), (due + timedelta(days=10)).isoformat(), "10.00", "JH-1"],
        [customer.uscc, "FP-3", due.isoformat(), (due + timedelta(days=10)).isoformat(), "99.00", ""],  # history
    ])
    job = run_import(actor=fworld.bj_finance, target="invoices", path=invoices)
    assert (job.rows_created, job.rows_rejected) == (2, 1)
    assert "delivery_invoiced" in error_rows(job)[0][-1]
    assert set(Delivery.objects.get(reference="JH-2").invoice.deliveries.values_list("reference", flat=True)) == {
        "JH-1", "JH-2"}
    payments = write_csv(tmp_path / "p.csv", ["credit code", "payment reference", "invoice number", "paid on",
                                              "amount"], [
        [customer.uscc, "SK-1", "FP-1", (due + timedelta(days=5)).isoformat(), "600000.00"],
        [customer.uscc, "SK-2", "FP-1", (due + timedelta(days=6)).isoformat(), "100000.01"],  # more than open
        [customer.uscc, "SK-3", "FP-9", (due + timedelta(days=6)).isoformat(), "1.00"],
    ])
    job = run_import(actor=fworld.bj_finance, target="payments", path=payments)
    assert (job.rows_created, job.rows_rejected) == (1, 2)
    codes = " ".join(r[-1] for r in error_rows(job))
    assert "payment_exceeds_open" in codes and "unknown_invoice" in codes
    assert selectors.open_receivables(customer_id=customer.pk) == Decimal("100099.00")
    assert Payment.objects.get().amount == Decimal("600000.00")


def test_modes_create_update_and_upsert(fworld, customer, tmp_path):
    header = ["信用代码", "单据号", "月份", "金额"]
    run_import(actor=fworld.bj_cm, target="sales", path=write_csv(tmp_path / "a.csv", header, [
        [customer.uscc, "S-1", f"{M1:%Y-%m}", "100.00"]]))
    changed = write_csv(tmp_path / "b.csv", header, [[customer.uscc, "S-1", f"{M1:%Y-%m}", "120.00"],
                                                    [customer.uscc, "S-2", f"{M1:%Y-%m}", "7.00"]])
    job = run_import(actor=fworld.bj_cm, target="sales", path=changed, mode="create")
    assert (job.rows_created, job.rows_updated, job.rows_rejected) == (1, 0, 1)
    assert "duplicate_reference" in error_rows(job)[0][-1]
    assert SalesRecord.objects.get(reference="S-1").amount == Decimal("100.00")
    more = write_csv(tmp_path / "c.csv", header, [[customer.uscc, "S-1", f"{M1:%Y-%m}", "120.00"],
                                                 [customer.uscc, "S-3", f"{M1:%Y-%m}", "1.00"]])
    job = run_import(actor=fworld.bj_cm, target="sales", path=more, mode="update")
    assert (job.rows_created, job.rows_updated, job.rows_rejected) == (0, 1, 1)
    assert "not_found" in error_rows(job)[0][-1]
    assert SalesRecord.objects.get(reference="S-1").amount == Decimal("120.00")
    assert AuditEvent.objects.get(event_code=TradeFactEvent.SALES_CORRECTED).old_values["amount"] == "100.00"
    job = run_import(actor=fworld.bj_cm, target="sales", path=more, mode="upsert")
    assert (job.rows_created, job.rows_unchanged) == (1, 1)


def test_import_runs_in_the_importers_scope(fworld, customer, tmp_path):
    path = write_csv(tmp_path / "s.csv", ["信用代码", "单据号", "月份", "金额"],
                     [[customer.uscc, "S-1", f"{M1:%Y-%m}", "1.00"]])
    assert run_import(actor=fworld.sh_cm, target="sales", path=path).rows_rejected == 1  # another branch
    assert run_import(actor=fworld.bj_finance, target="sales", path=path).rows_rejected == 1  # not sales
    assert not SalesRecord.objects.exists()


def test_current_month_invoices_are_not_history(fworld, customer, tmp_path, monkeypatch):
    from kehu.trade.services import facts

    monkeypatch.setattr(facts, "receivable_guard", lambda: None)
    path = write_csv(tmp_path / "i.csv", ["信用代码", "发票号", "开票日期", "到期日", "金额"],
                     [[customer.uscc, "FP-NOW", TODAY.isoformat(), TODAY.isoformat(), "5.00"]])
    job = run_import(actor=fworld.bj_finance, target="invoices", path=path)
    assert job.rows_rejected == 1 and "invoice_not_tied" in error_rows(job)[0][-1]
    assert not Invoice.objects.exists()


def test_missing_required_columns_refuse_the_file(fworld, tmp_path):
    from kehu.core.errors import InvalidInput

    path = write_csv(tmp_path / "x.csv", ["信用代码", "单据号"], [["x", "y"]])
    with pytest.raises(InvalidInput) as refused:
        run_import(actor=fworld.bj_cm, target="payments", path=path)
    assert refused.value.code == "missing_columns"


def test_the_management_command_imports_and_reports(fworld, customer, tmp_path, capsys):
    path = write_csv(tmp_path / "s.csv", ["统一社会信用代码", "单据号", "月份", "金额"],
                     [[customer.uscc, "S-1", f"{M1:%Y-%m}", "1.00"], [customer.uscc, "S-2", "bad", "1.00"]])
    call_command("trade_import_sales", str(path), "--as", "bj_cm")
    out = capsys.readouterr().out
    assert "1 created" in out and "1 rejected" in out and "rejected rows:" in out
    assert SalesRecord.objects.get().created_by_id == fworld.bj_cm.pk


def test_kehu_import_aliases_name_the_trade_commands():
    from kehu import cli

    for kind in ("sales", "deliveries", "invoices", "payments"):
        command = cli.ALIASES[("import", kind)]
        assert command == f"trade_import_{kind}" and cli._alias_available(command)
