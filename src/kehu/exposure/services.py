"""Writes of the regulatory statistics: capital bases, the month-end freeze, the large-credit table
(draft → submit → sign-off, maker-checker), exports and concentration monitoring."""

from __future__ import annotations

import io
import json
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from kehu.core.audit import audit_record
from kehu.core.errors import (
    Conflict,
    InvalidInput,
    InvalidTransition,
    NotFound,
    PermissionDenied,
    SelfApprovalNotAllowed,
)
from kehu.core.exports import mark_workbook, safe_row, watermark
from kehu.core.inputs import amount as parse_amount
from kehu.core.inputs import day, text
from kehu.core.models import User
from kehu.core.params import get_param
from kehu.core.selectors import access_for
from kehu.credit import rules as credit_rules
from kehu.credit.models import CapitalBase, CreditLine, CreditUse, SubLimit
from kehu.customers.models import Customer, CustomerGroup, GroupMembership
from kehu.exposure import rules, selectors
from kehu.exposure.errors import ReportInvalid
from kehu.exposure.events import ExposureEvent
from kehu.exposure.models import (
    ConcentrationAlert,
    FrozenPosition,
    LargeCreditReport,
    LargeCreditRow,
    StatFreeze,
)
from kehu.exposure.permissions import ExposurePerm

ZERO = Decimal("0.00")
LINE_STATUSES_FROZEN = ["active", "frozen", "expired", "renewal_pending", "exited"]


def _immediate_constraints() -> None:
    """Check foreign keys as rows are written, not at commit. Django makes them DEFERRABLE INITIALLY
    DEFERRED on PostgreSQL, so the key-share locks on the referenced customers would otherwise be taken at
    commit, after the audit chain head is locked: a drawdown holding a customer row and waiting for the
    audit head would deadlock with this transaction."""

    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("SET CONSTRAINTS ALL IMMEDIATE")


def _require(actor: User | None, perm: str) -> None:
    if actor is not None and not access_for(actor).has(perm):
        raise PermissionDenied()


def _period(value: Any) -> str:
    try:
        rules.month_bounds(str(value or ""))
    except ValueError:
        raise InvalidInput(_("period must be a month, YYYY-MM."), field="period") from None
    return str(value)


@transaction.atomic
def capital_base_record(*, actor: User | None, as_of: Any, capital_amount: Any, net_capital_amount: Any,
                        tier1_net_amount: Any, channel: str = "") -> CapitalBase:
    _require(actor, ExposurePerm.CAPITAL)
    as_of = day(as_of, "as_of", required=True)
    values = {name: parse_amount(raw, name, required=True) for name, raw in (
        ("capital_amount", capital_amount), ("net_capital_amount", net_capital_amount),
        ("tier1_net_amount", tier1_net_amount))}
    if any(v <= 0 for v in values.values()):
        raise InvalidInput(_("Capital amounts must be greater than zero."), field="capital_amount")
    if CapitalBase.objects.filter(as_of=as_of).exists():
        raise Conflict(_("Capital bases for %(day)s are already recorded.") % {"day": as_of}, code="duplicate")
    row = CapitalBase.objects.create(as_of=as_of, entered_by=actor if actor is not None and actor.pk else None,
                                     **values)
    audit_record(actor=actor, event_code=ExposureEvent.CAPITAL_BASE_RECORDED, object_type="capital_base",
                 object_id=row.pk, channel=channel, new={"as_of": str(as_of), **{k: str(v) for k, v in
                                                                                 values.items()}})
    return row


# ------------------------------------------------------------------ the month-end freeze


@dataclass(slots=True)
class _Pos:
    """One frozen position before it is written (lighter than a model instance: a freeze makes millions)."""

    org_path: str
    product: str
    line_amount: Decimal
    outstanding_amount: Decimal
    exposure_amount: Decimal
    non_exposure_amount: Decimal = ZERO
    customer_id: int | None = None
    group_id: int | None = None
    on_balance: bool | None = None
    classification: dict = field(default_factory=dict)
    report_line_amount: Decimal | None = None
    report_basis: str = ""
    carried_forward: bool = False


def _cents(value) -> Decimal:
    return Decimal(value).quantize(Decimal("0.01"))


def _positions(period: str, prev: dict[int, Decimal]):
    """Yield FrozenPosition rows (unsaved) computed by SQL aggregates over lines and uses."""
    # per customer and product: outstanding, exposure
    use_rows = (CreditUse.objects.filter(outstanding_amount__gt=0).values("customer_id", "product", "classification")
                .annotate(o=Sum("outstanding_amount"), e=Sum("exposure_amount")).order_by())
    per_product: dict[int, dict[str, list]] = defaultdict(dict)
    for r in use_rows:
        slot = per_product[r["customer_id"]].setdefault(r["product"], [ZERO, ZERO, {}])
        slot[0] += r["o"]
        slot[1] += r["e"]
        slot[2][r["classification"]] = str(_cents(Decimal(slot[2].get(r["classification"], "0")) + r["o"]))
    sub_rows = (SubLimit.objects.filter(line__kind="customer", line__status__in=["active", "frozen",
                                                                                   "renewal_pending"])
                .values("line__customer_id", "product").annotate(a=Sum("limit_amount")).order_by())
    sub_amounts = {(r["line__customer_id"], r["product"]): r["a"] for r in sub_rows}
    facts: dict[int, list] = defaultdict(list)
    for line in (CreditLine.objects.filter(kind="customer", status__in=LINE_STATUSES_FROZEN)
                 .values("customer_id", "line_type", "status", "line_amount", "outstanding_amount", "pk")
                 .order_by()):
        facts[line["customer_id"]].append(line)
    non_exposure_by_line = {
        r["line_id"]: r["o"] - r["e"] for r in CreditUse.objects.filter(outstanding_amount__gt=0)
        .values("line_id").annotate(o=Sum("outstanding_amount"), e=Sum("exposure_amount")).order_by()}
    customers = {c["pk"]: c["org_path"] for c in Customer.objects.filter(
        pk__in=set(facts) | set(per_product)).values("pk", "org_path")}
    for customer_id in sorted(set(facts) | set(per_product)):
        lines = facts.get(customer_id, [])
        line_facts = [rules.LineFact(f["line_type"], f["status"], f["line_amount"], f["outstanding_amount"],
                                     non_exposure_by_line.get(f["pk"], ZERO)) for f in lines]
        decided = rules.report_line(line_facts, prev_line_amount=prev.get(customer_id))
        products = per_product.get(customer_id, {})
        total_o = sum((v[0] for v in products.values()), ZERO)
        total_e = sum((v[1] for v in products.values()), ZERO)
        classification: dict[str, str] = {}
        for v in products.values():
            for k, amt in v[2].items():
                classification[k] = str(_cents(Decimal(classification.get(k, "0")) + Decimal(amt)))
        live_line = sum((f.line_amount for f in line_facts if f.status in rules.IN_FORCE), ZERO)
        org_path = customers.get(customer_id, "")
        yield _Pos(
            customer_id=customer_id, org_path=org_path, product="", on_balance=None, line_amount=live_line,
            outstanding_amount=total_o, exposure_amount=total_e, non_exposure_amount=total_o - total_e,
            classification=classification, report_line_amount=decided[0] if decided else None,
            report_basis=decided[1] if decided else "not_reported", carried_forward=bool(decided and decided[2]))
        for product, (o, e, cls) in sorted(products.items()):
            yield _Pos(
                customer_id=customer_id, org_path=org_path, product=product,
                on_balance=not credit_rules.is_off_balance(product),
                line_amount=sub_amounts.get((customer_id, product), ZERO), outstanding_amount=o, exposure_amount=e,
                non_exposure_amount=o - e, classification=cls)


def _group_positions():
    members = defaultdict(list)
    for m in GroupMembership.objects.values("group_id", "customer_id"):
        members[m["group_id"]].append(m["customer_id"])
    totals = {r["customer_id"]: (r["o"], r["e"]) for r in CreditUse.objects.filter(outstanding_amount__gt=0)
              .values("customer_id").annotate(o=Sum("outstanding_amount"), e=Sum("exposure_amount")).order_by()}
    group_lines = {r["group_id"]: r["a"] for r in CreditLine.objects.filter(
        kind="group", status__in=["active", "frozen", "renewal_pending"]).values("group_id")
        .annotate(a=Sum("line_amount")).order_by()}
    groups = {g["pk"]: g["org_path"] for g in CustomerGroup.objects.values("pk", "org_path")}
    for group_id in sorted(set(members) | set(group_lines)):
        o = sum((totals.get(c, (ZERO, ZERO))[0] for c in members.get(group_id, [])), ZERO)
        e = sum((totals.get(c, (ZERO, ZERO))[1] for c in members.get(group_id, [])), ZERO)
        if o == 0 and group_id not in group_lines:
            continue
        yield _Pos(group_id=group_id, org_path=groups.get(group_id, ""), product="",
                             line_amount=group_lines.get(group_id, ZERO), outstanding_amount=o, exposure_amount=e,
                             non_exposure_amount=o - e)


COLUMNS = ["freeze_id", "customer_id", "group_id", "org_path", "product", "on_balance", "line_amount",
           "outstanding_amount", "exposure_amount", "non_exposure_amount", "classification", "report_line_amount",
           "report_basis", "carried_forward"]


def _insert_positions(freeze_id: int, rows) -> int:
    """Write frozen positions with one prepared INSERT per batch (the freeze writes one row per customer and
    product, so the ORM's per-object overhead would dominate). Returns the number of customer totals."""

    table = connection.ops.quote_name(FrozenPosition._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(c) for c in COLUMNS)
    sql = f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * len(COLUMNS))})"
    totals, batch = 0, []

    def values(row: _Pos) -> tuple:
        return (freeze_id, row.customer_id, row.group_id, row.org_path, row.product, row.on_balance,
                row.line_amount, row.outstanding_amount, row.exposure_amount, row.non_exposure_amount,
                json.dumps(row.classification or {}, sort_keys=True), row.report_line_amount,
                row.report_basis, row.carried_forward)

    def write(cur, batch: list[tuple]) -> None:
        if connection.vendor == "postgresql":
            # COPY: the prepared INSERTs were 70 % of a freeze on PostgreSQL (34 of 49 s at 20,000 customers
            # and 100,000 facilities, cProfile), one round of parsing and planning per row. A batch at a time:
            # ``rows`` reads the database as it goes, and a connection in COPY can run no other statement.
            with cur.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for item in batch:
                    copy.write_row(item)
        else:
            cur.executemany(sql, batch)

    with connection.cursor() as cur:
        for row in rows:
            totals += row.product == "" and row.customer_id is not None
            batch.append(values(row))
            if len(batch) >= 5000:
                write(cur, batch)
                batch = []
        if batch:
            write(cur, batch)
    return totals


def month_freeze_check(*, actor: User | None, period: Any) -> str:
    """What ``month_freeze`` checks before it starts, without writing: the permission, the month, and that it is
    not frozen yet. A freeze run as a background job is checked with it before it is queued."""
    _require(actor, ExposurePerm.RUN)
    period = _period(period)
    if StatFreeze.objects.filter(period=period).exists():
        raise Conflict(_("The month %(period)s is already frozen.") % {"period": period}, code="already_frozen")
    return period


def month_freeze(*, actor: User | None, period: Any, channel: str = "") -> StatFreeze:
    """Freeze the month (domain spec 4.3, exposure.month_end_freeze): per customer and group the line,
    outstanding and exposure per product and on/off balance sheet, and the five-category classification.
    One transaction: a freeze killed half-way leaves nothing and is simply run again."""
    _require(actor, ExposurePerm.RUN)
    period = _period(period)
    with transaction.atomic():
        if StatFreeze.objects.filter(period=period).exists():
            raise Conflict(_("The month %(period)s is already frozen.") % {"period": period}, code="already_frozen")
        prev_freeze = StatFreeze.objects.filter(period=rules.previous_period(period)).first()
        prev = {}
        if prev_freeze is not None:
            prev = dict(FrozenPosition.objects.filter(freeze=prev_freeze, product="", customer__isnull=False,
                                                      report_line_amount__isnull=False)
                        .values_list("customer_id", "report_line_amount"))
        _immediate_constraints()
        freeze = StatFreeze.objects.create(period=period, frozen_by=actor if actor is not None and actor.pk else None)
        count = _insert_positions(freeze.pk, _positions(period, prev))
        _insert_positions(freeze.pk, _group_positions())
        StatFreeze.objects.filter(pk=freeze.pk).update(customers=count)
        freeze.customers = count
        audit_record(actor=actor, event_code=ExposureEvent.MONTH_FROZEN, object_type="stat_freeze",
                     object_id=freeze.pk, channel=channel, new={"period": period, "customers": count})
    return freeze


# ------------------------------------------------------------------ the large-credit statistics table


def _rows_for(freeze: StatFreeze, threshold: Decimal) -> list[dict]:
    totals = list(FrozenPosition.objects.filter(freeze=freeze, product="", customer__isnull=False,
                                                report_line_amount__gte=threshold)
                  .values("customer_id", "org_path", "report_line_amount", "outstanding_amount", "exposure_amount",
                          "report_basis", "carried_forward"))
    ids = [t["customer_id"] for t in totals]
    split = defaultdict(lambda: [ZERO, ZERO])
    for r in (FrozenPosition.objects.filter(freeze=freeze, customer_id__in=ids).exclude(product="")
              .values("customer_id", "on_balance").annotate(o=Sum("outstanding_amount")).order_by()):
        split[r["customer_id"]][0 if r["on_balance"] else 1] += r["o"]
    info = {c["pk"]: c for c in Customer.objects.filter(pk__in=ids).values("pk", "uscc", "name")}
    groups = dict(GroupMembership.objects.filter(customer_id__in=ids).values_list("customer_id", "group__code"))
    rows = []
    for t in totals:
        cid = t["customer_id"]
        rows.append({
            "customer_id": cid, "org_path": t["org_path"], "uscc": info[cid]["uscc"] or "", "name": info[cid]["name"],
            "group_code": groups.get(cid, ""), "line_amount": t["report_line_amount"],
            "outstanding_amount": t["outstanding_amount"], "on_balance_amount": split[cid][0],
            "off_balance_amount": split[cid][1], "exposure_amount": t["exposure_amount"],
            "basis": t["report_basis"], "carried_forward": t["carried_forward"],
        })
    rows.sort(key=lambda r: (-r["line_amount"], r["customer_id"]))
    return rows


@transaction.atomic
def report_draft(*, actor: User | None, period: Any, org_code: str = "", preparer: str = "", phone: str = "",
                 reviewer: str = "", channel: str = "") -> LargeCreditReport:
    """Draft the month's 客户大额授信统计表 from its freeze and validate it (problems are stored, not raised:
    the maker sees them all at once)."""
    _require(actor, ExposurePerm.RUN)
    period = _period(period)
    freeze = StatFreeze.objects.filter(period=period).first()
    if freeze is None:
        raise Conflict(_("Freeze the month %(period)s first.") % {"period": period}, code="not_frozen")
    if LargeCreditReport.objects.filter(period=period, status__in=["submitted", "signed"]).exists():
        raise Conflict(_("The report of %(period)s is already submitted.") % {"period": period}, code="submitted")
    _immediate_constraints()
    LargeCreditReport.objects.filter(period=period, status__in=["draft", "returned"]).delete()
    threshold = Decimal(str(get_param("report.large_credit_threshold")))
    report = LargeCreditReport.objects.create(
        freeze=freeze, period=period, threshold_amount=threshold,
        org_code=text(org_code, "org_code", max_length=32), preparer=text(preparer, "preparer", max_length=50),
        phone=text(phone, "phone", max_length=30), reviewer=text(reviewer, "reviewer", max_length=50),
        maker=actor if actor is not None and actor.pk else None)
    rows = _rows_for(freeze, threshold)
    LargeCreditRow.objects.bulk_create([LargeCreditRow(report=report, **r) for r in rows if True], batch_size=2000)
    problems = rules.validate_report(report.header(), rows)
    problems += [{"code": "xml_invalid", "detail": p} for p in rules.validate_xml(rules.build_xml(report.header(),
                                                                                                 rows))]
    report.problems = problems
    report.save(update_fields=["problems"])
    audit_record(actor=actor, event_code=ExposureEvent.REPORT_DRAFTED, object_type="large_credit_report",
                 object_id=report.pk, channel=channel,
                 new={"period": period, "rows": len(rows), "problems": len(problems),
                      "carried_forward": sum(1 for r in rows if r["carried_forward"])})
    return report


def _report(report_id: Any, *, lock: bool = False) -> LargeCreditReport:
    qs = LargeCreditReport.objects.select_for_update() if lock else LargeCreditReport.objects
    report = qs.filter(pk=report_id).first() if str(report_id).isdigit() else None
    if report is None:
        raise NotFound()
    return report


ROW_FIELDS = ("customer_id", "uscc", "name", "group_code", "line_amount", "outstanding_amount", "on_balance_amount",
              "off_balance_amount", "exposure_amount", "basis", "carried_forward")


def report_rows(report: LargeCreditReport) -> list[dict]:
    """Every row of the table (for validation and submission; exports go through the caller's scope)."""
    return list(report.rows.order_by("-line_amount", "customer_id").values(*ROW_FIELDS))


@transaction.atomic
def report_submit(*, actor: User | None, report_id: Any, channel: str = "") -> LargeCreditReport:
    """The maker submits for sign-off; the validations must pass (R-1, R-5)."""
    _require(actor, ExposurePerm.RUN)
    report = _report(report_id, lock=True)
    if report.status not in ("draft", "returned"):
        raise InvalidTransition()
    problems = rules.validate_report(report.header(), report_rows(report))
    problems += [{"code": "xml_invalid", "detail": p} for p in rules.validate_xml(
        rules.build_xml(report.header(), report_rows(report)))]
    if problems:
        raise ReportInvalid(problems=problems)
    report.status, report.submitted_at = "submitted", timezone.now()
    report.save(update_fields=["status", "submitted_at"])
    audit_record(actor=actor, event_code=ExposureEvent.REPORT_SUBMITTED, object_type="large_credit_report",
                 object_id=report.pk, channel=channel, old={"status": "draft"}, new={"status": "submitted"})
    return report


@transaction.atomic
def report_signoff(*, actor: User | None, report_id: Any, approve: bool, note: str = "",
                   channel: str = "") -> LargeCreditReport:
    """The checker (not the maker) signs the table off or returns it."""
    _require(actor, ExposurePerm.SIGNOFF)
    report = _report(report_id, lock=True)
    if actor is not None and report.maker_id == actor.pk:
        raise SelfApprovalNotAllowed()
    if report.status != "submitted":
        raise InvalidTransition()
    note = text(note, "note", max_length=500, required=not approve)
    report.status = "signed" if approve else "returned"
    report.checker = actor if actor is not None and actor.pk else None
    report.signed_at = timezone.now() if approve else None
    report.note = note
    report.save(update_fields=["status", "checker", "signed_at", "note"])
    audit_record(actor=actor, event_code=ExposureEvent.REPORT_SIGNED if approve else ExposureEvent.REPORT_RETURNED,
                 object_type="large_credit_report", object_id=report.pk, channel=channel,
                 old={"status": "submitted"}, new={"status": report.status}, reason=note)
    return report


XLSX_HEADERS = ["统一社会信用代码", "客户名称", "集团编码", "最高综合授信额度", "授信余额", "表内余额", "表外余额",
                "敞口", "沿用上期额度", "填报口径"]


@transaction.atomic
def report_export(*, actor: User | None, report_id: Any, fmt: str, channel: str = "") -> tuple[bytes, str, str]:
    """Export the table as XLSX or as the R-5 XML; the XML is validated before it leaves. Returns
    (content, content type, file name).

    The XLSX holds the rows in the caller's scope (a branch exports its own customers' rows, as it sees them
    on the page); the XML is the regulator's whole table, so only a user whose scope reaches every row may
    export it (issue 11, defect 1). Text cells are neutralised against formula injection and both files
    carry the watermark (user, time)."""
    _require(actor, ExposurePerm.VIEW)
    report = _report(report_id)
    rows = report_rows(report)
    if actor is not None:
        scoped = selectors.report_rows(user=actor, report=report)
        if fmt == "xml" and scoped.count() != len(rows):
            raise PermissionDenied(_("The XML is the whole table for the regulator; your scope covers only part "
                                     "of it. Export XLSX for your own rows."), code="partial_scope")
        rows = list(scoped.values(*ROW_FIELDS))
    # PI-9: a restricted customer's row stays (the regulatory totals count it) without its identity; the
    # regulator's XML keeps the credit code (see selectors.mask_restricted).
    rows = selectors.mask_restricted(rows, keep_code=fmt == "xml")
    mark = watermark(actor)
    if fmt == "xml":
        data = rules.build_xml(report.header(), rows)
        problems = rules.validate_xml(data)
        if problems:
            raise ReportInvalid(problems=[{"code": "xml_invalid", "detail": p} for p in problems])
        data = _xml_watermark(data, mark)
        result = (data, "application/xml", f"large-credit-{report.period}.xml")
    elif fmt == "xlsx":
        # openpyxl loads only when a workbook is read or written
        from openpyxl import Workbook

        wb = Workbook()
        ws = wb.active
        ws.title = "客户大额授信统计表"
        head = report.header()
        ws.append(safe_row(["报送机构代码", head["org_code"], "年", head["year"], "月", head["month"]]))
        ws.append(safe_row(["填报人", head["preparer"], "电话", head["phone"], "复核人", head["reviewer"]]))
        ws.append(XLSX_HEADERS)
        for r in rows:
            ws.append(safe_row([r["uscc"], r["name"], r["group_code"], r["line_amount"], r["outstanding_amount"],
                                r["on_balance_amount"], r["off_balance_amount"], r["exposure_amount"],
                                "是" if r["carried_forward"] else "否", r["basis"]]))
        for row in ws.iter_rows(min_row=4, max_row=3 + len(rows), min_col=4, max_col=8):
            for cell in row:
                cell.number_format = "#,##0.00"
        ws.append([mark])
        mark_workbook(wb, mark)
        buf = io.BytesIO()
        wb.save(buf)
        result = (buf.getvalue(), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                  f"large-credit-{report.period}.xlsx")
    else:
        raise InvalidInput(_("format must be xlsx or xml."), field="format")
    audit_record(actor=actor, event_code=ExposureEvent.REPORT_EXPORTED, object_type="large_credit_report",
                 object_id=report.pk, channel=channel, new={"format": fmt, "rows": len(rows), "watermark": mark})
    return result


def _xml_watermark(data: bytes, mark: str) -> bytes:
    """The watermark as an XML comment after the declaration (the R-5 structure is unchanged)."""
    comment = ("<!-- " + mark.replace("--", "- -") + " -->\n").encode("utf-8")
    head, sep, rest = data.partition(b"?>")
    return head + sep + b"\n" + comment + rest.lstrip(b"\n") if sep else comment + data


# ------------------------------------------------------------------ concentration


@transaction.atomic
def concentration_check(*, actor: User | None, period: Any, channel: str = "") -> list[ConcentrationAlert]:
    """Compare the frozen month with the capital bases in force at month-end; alert at the configured
    percentages of each cap."""
    _require(actor, ExposurePerm.RUN)
    period = _period(period)
    freeze = StatFreeze.objects.filter(period=period).first()
    if freeze is None:
        raise Conflict(_("Freeze the month %(period)s first.") % {"period": period}, code="not_frozen")
    end = rules.month_bounds(period)[1]
    base = CapitalBase.objects.filter(as_of__lte=end).order_by("-as_of").first()
    if base is None:
        raise Conflict(_("No capital base is recorded on or before %(day)s.") % {"day": end}, code="no_capital_base")
    levels = [Decimal(str(x)) for x in get_param("exposure.alert_levels_pct")]
    pct = {code: Decimal(str(get_param(code))) for code in (
        "limit.single_borrower_loan_pct_capital", "limit.group_credit_pct_net_capital",
        "limit.large_exposure_single_pct_tier1", "limit.large_exposure_connected_pct_tier1")}
    _immediate_constraints()
    ConcentrationAlert.objects.filter(freeze=freeze).delete()
    alerts = []

    def check(code, amount, base_amount, **owner):
        share, level = rules.concentration_level(amount, base_amount, pct[code], levels)
        if level is not None:
            alerts.append(ConcentrationAlert(freeze=freeze, limit_code=code, amount=amount, base_amount=base_amount,
                                             share_pct=share, cap_pct=pct[code], level_pct=level, **owner))

    loans = dict(FrozenPosition.objects.filter(freeze=freeze, product="loan", customer__isnull=False)
                 .values_list("customer_id", "outstanding_amount"))
    for p in FrozenPosition.objects.filter(freeze=freeze, product="", customer__isnull=False).values(
            "customer_id", "org_path", "exposure_amount"):
        owner = {"customer_id": p["customer_id"], "org_path": p["org_path"]}
        check("limit.single_borrower_loan_pct_capital", loans.get(p["customer_id"], ZERO), base.capital_amount,
              **owner)
        check("limit.large_exposure_single_pct_tier1", p["exposure_amount"], base.tier1_net_amount, **owner)
    for p in FrozenPosition.objects.filter(freeze=freeze, product="", group__isnull=False).values(
            "group_id", "org_path", "exposure_amount"):
        owner = {"group_id": p["group_id"], "org_path": p["org_path"]}
        # margin deposits and pledged CDs/government bonds are deducted: the net exposure
        check("limit.group_credit_pct_net_capital", p["exposure_amount"], base.net_capital_amount, **owner)
        check("limit.large_exposure_connected_pct_tier1", p["exposure_amount"], base.tier1_net_amount, **owner)
    ConcentrationAlert.objects.bulk_create(alerts)
    audit_record(actor=actor, event_code=ExposureEvent.CONCENTRATION_CHECKED, object_type="stat_freeze",
                 object_id=freeze.pk, channel=channel, new={"period": period, "alerts": len(alerts),
                                                            "capital_base": str(base.as_of)})
    return alerts


