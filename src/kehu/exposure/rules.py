"""Pure rules of the customer-risk statistics (客户风险统计, 银监办发[2009]357号 and domain spec 4).

No ORM and no clock in here."""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any
from xml.etree import ElementTree as ET

from kehu.customers.rules import clean_uscc

ZERO = Decimal("0.00")


def uscc_valid(code: str | None) -> bool:
    """GB 32100-2015: length, character set and check character (the customers app's rule)."""
    return code is not None and bool(code) and clean_uscc(code) == code


def month_bounds(period: str) -> tuple[date, date]:
    """'2026-10' -> (2026-10-01, 2026-10-31)."""

    if not re.fullmatch(r"\d{4}-\d{2}", period or ""):
        raise ValueError("period must be YYYY-MM")
    year, month = int(period[:4]), int(period[5:])
    if not 1 <= month <= 12 or year < 2000:
        raise ValueError("period must be YYYY-MM")
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


def previous_period(period: str) -> str:
    start, _ = month_bounds(period)
    year, month = (start.year, start.month - 1) if start.month > 1 else (start.year - 1, 12)
    return f"{year:04d}-{month:02d}"


@dataclass(frozen=True)
class LineFact:
    """One line of a customer at the statistics date."""

    line_type: str  # "comprehensive" or "specific"
    status: str
    line_amount: Decimal
    outstanding: Decimal = ZERO
    non_exposure: Decimal = ZERO  # margin and low-risk collateral behind the uses of this line


IN_FORCE = {"active", "frozen"}
# a comprehensive line that matured while its renewal is in approval
RENEWAL_PENDING = "renewal_pending"
# the specific lines aggregated when there is no comprehensive line in force
AGGREGATED = IN_FORCE | {RENEWAL_PENDING}
MATURED = "expired"


def report_line(facts: list[LineFact], *, prev_line_amount: Decimal | None) -> tuple[Decimal, str, bool] | None:
    """The line amount a customer is reported with, its basis and the carried-forward flag, or None when
    the customer is not reported.

    - R-1: a bank managing by comprehensive lines reports the maximum comprehensive line (on- and
      off-balance-sheet together), never the exposure: basis "mcl".
    - R-3: when the comprehensive line matured and its renewal is still in approval, the customer keeps
      being reported with the previous period's line, flagged as carried forward: basis "carried_forward".
    - R-2: without a comprehensive line, all the customer's lines are aggregated (on/off balance sheet,
      high and low risk) and the non-exposure part is added back: basis "aggregated".
    - A real exit (exited, or matured with nothing in use and no renewal) drops out.
    """
    mcl = [f for f in facts if f.line_type == "comprehensive" and f.status in IN_FORCE]
    if mcl:
        return (max(f.line_amount for f in mcl), "mcl", False)
    pending = [f for f in facts if f.line_type == "comprehensive" and f.status == RENEWAL_PENDING]
    if pending:
        amount = prev_line_amount if prev_line_amount is not None else max(f.line_amount for f in pending)
        return (amount, "carried_forward", True)
    specific = [f for f in facts if f.line_type == "specific" and f.status in AGGREGATED]
    if specific:
        return (sum((f.line_amount + f.non_exposure for f in specific), ZERO), "aggregated", False)
    # matured without renewal but still owed: not an exit yet, reported with the matured line
    matured = [f for f in facts if f.status == MATURED and f.outstanding > 0]
    if matured:
        return (max(f.line_amount for f in matured), "matured", False)
    return None


def _in(column: str, values: set[str]) -> str:
    quoted = ", ".join(f"'{v}'" for v in sorted(values))
    return f"{column} IN ({quoted})"


def report_line_facts_sql(line: str, *, acc: Callable[[str], str], non_exposure: str) -> dict[str, str]:
    """The aggregates over a customer's lines (``line`` is the alias of a row of the customer's lines) that
    ``report_line_sql`` decides from: the same tests as ``report_line``, written once per branch. ``acc`` wraps
    an amount into the database's exact accumulator (the caller's ``money_sum``); ``non_exposure`` is the SQL
    of the line's non-exposure part (margin and low-risk collateral of its uses, R-2)."""

    comprehensive, specific = f"{line}.line_type = 'comprehensive'", f"{line}.line_type = 'specific'"
    tests = {
        "mcl": f"{comprehensive} AND {_in(line + '.status', IN_FORCE)}",
        "pend": f"{comprehensive} AND {line}.status = '{RENEWAL_PENDING}'",
        "spec": f"{specific} AND {_in(line + '.status', AGGREGATED)}",
        "mat": f"{line}.status = '{MATURED}' AND {line}.outstanding_amount > 0",
    }
    out = {f"{name}_n": f"COUNT(CASE WHEN {test} THEN 1 END)" for name, test in tests.items()}
    for name in ("mcl", "pend", "mat"):
        out[f"{name}_max"] = f"MAX(CASE WHEN {tests[name]} THEN {line}.line_amount END)"
    out["spec_sum"] = f"SUM(CASE WHEN {tests['spec']} THEN {acc(line + '.line_amount')} + {non_exposure} END)"
    # the customer's live line on its total row: the lines in force, of either type
    out["live"] = f"SUM(CASE WHEN {_in(line + '.status', IN_FORCE)} THEN {acc(line + '.line_amount')} ELSE 0 END)"
    return out


def report_line_sql(facts: str, *, prev: str, money: Callable[[str], str]) -> tuple[str, str, str]:
    """``report_line`` as three CASE expressions (amount, basis, carried-forward flag) over the aggregates of
    ``report_line_facts_sql`` (``facts`` is their alias; a customer without lines has them NULL). ``prev`` is
    the SQL of the previous period's reported line (NULL when absent), evaluated only for R-3; ``money``
    turns an accumulated sum back into an amount. Same branches in the same order as ``report_line``."""

    def n(name: str) -> str:
        return f"COALESCE({facts}.{name}_n, 0) > 0"

    branches = [
        (n("mcl"), f"{facts}.mcl_max", "mcl"),
        (n("pend"), f"COALESCE({prev}, {facts}.pend_max)", "carried_forward"),
        (n("spec"), money(f"{facts}.spec_sum"), "aggregated"),
        (n("mat"), f"{facts}.mat_max", "matured"),
    ]
    amount = "CASE " + " ".join(f"WHEN {test} THEN {value}" for test, value, _b in branches) + " ELSE NULL END"
    basis = "CASE " + " ".join(f"WHEN {test} THEN '{b}'" for test, _v, b in branches) + " ELSE 'not_reported' END"
    carried = f"CASE WHEN NOT ({n('mcl')}) AND {n('pend')} THEN TRUE ELSE FALSE END"
    return amount, basis, carried


def report_deadlines(period: str, *, deadline_days: int, cutoff_days: int) -> dict[str, date]:
    """The internal cut-off for the draft and the submission deadline of a period's table: so many calendar
    days after its month-end (R-4: within 15 days, no extension for holidays)."""

    end = month_bounds(period)[1]
    return {"cutoff": end + timedelta(days=cutoff_days), "deadline": end + timedelta(days=deadline_days)}


def deadline_state(today: date, deadlines: dict[str, date], *, signed: bool) -> str:
    """Where a period's table stands against its dates: "" (signed, or before the cut-off), "cutoff_passed"
    (the internal cut-off has passed and it is not signed), "overdue" (the deadline has passed)."""
    if signed or today <= deadlines["cutoff"]:
        return ""
    return "overdue" if today > deadlines["deadline"] else "cutoff_passed"


def carried_forward_since(period: str, carried_periods: set[str]) -> str:
    """The first period of the unbroken run of carried-forward periods ending at ``period`` (R-3)."""
    since = period
    while previous_period(since) in carried_periods:
        since = previous_period(since)
    return since


def in_scope(line_amount: Decimal, threshold: Decimal) -> bool:
    """R-4: customers whose reported line is at or above the threshold (default ¥100 million)."""
    return line_amount >= threshold


HEADER_FIELDS = ["org_code", "year", "month", "preparer", "phone", "reviewer"]


def validate_report(header: dict[str, Any], rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The checks run before submission: header complete; every code valid and unique; line >= outstanding;
    a carried-forward row says so."""
    problems: list[dict[str, Any]] = []
    for name in HEADER_FIELDS:
        if not str(header.get(name) or "").strip():
            problems.append({"code": "header_incomplete", "field": name})
    seen: set[str] = set()
    for row in rows:
        code = row.get("uscc") or ""
        if not uscc_valid(code):
            problems.append({"code": "invalid_code", "customer": row.get("customer_id"), "uscc": code})
        elif code in seen:
            problems.append({"code": "duplicate_code", "customer": row.get("customer_id"), "uscc": code})
        seen.add(code)
        if Decimal(str(row["line_amount"])) < Decimal(str(row["outstanding_amount"])):
            problems.append({"code": "line_below_outstanding", "customer": row.get("customer_id"),
                             "line": str(row["line_amount"]), "outstanding": str(row["outstanding_amount"])})
        if row.get("basis") == "carried_forward" and not row.get("carried_forward"):
            problems.append({"code": "carried_forward_unflagged", "customer": row.get("customer_id")})
    return problems


def _wan(amount: object) -> str:
    """Amounts are reported in 万元 (ten thousand yuan) with two decimals."""
    return str((Decimal(str(amount)) / Decimal(10000)).quantize(Decimal("0.01")))


XML_COLUMNS = ["uscc", "name", "group_code", "line_amount", "outstanding_amount", "on_balance_amount",
               "off_balance_amount", "exposure_amount", "carried_forward"]


def build_xml(header: dict[str, Any], rows: list[dict[str, Any]]) -> bytes:
    """R-5: gather → report → table → record → cell; one ``report`` element per large customer, with the
    header on ``gather``."""
    gather = ET.Element("gather", {k: str(header.get(k, "")) for k in HEADER_FIELDS})
    for row in rows:
        report = ET.SubElement(gather, "report", {"customer": row["uscc"]})
        table = ET.SubElement(report, "table", {"name": "large_credit"})
        record = ET.SubElement(table, "record")
        for col in XML_COLUMNS:
            value = row.get(col, "")
            if col.endswith("_amount"):
                value = _wan(value)
            elif col == "carried_forward":
                value = "1" if value else "0"
            cell = ET.SubElement(record, "cell", {"name": col})
            cell.text = str(value or "")
    data: bytes = ET.tostring(gather, encoding="utf-8", xml_declaration=True)
    return data


def validate_xml(data: bytes) -> list[str]:
    """Structural validation of the exported XML against the R-5 hierarchy."""
    problems = []
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        return [f"not well-formed: {exc}"]
    if root.tag != "gather":
        problems.append("root element is not gather")
    for name in HEADER_FIELDS:
        if not root.get(name):
            problems.append(f"header attribute {name} missing")
    seen = set()
    for report in root:
        if report.tag != "report":
            problems.append(f"unexpected element {report.tag} under gather")
            continue
        code = report.get("customer", "")
        if code in seen:
            problems.append(f"duplicate report for {code}")
        seen.add(code)
        tables = list(report)
        if len(tables) != 1 or tables[0].tag != "table":
            problems.append(f"report {code} must hold one table")
            continue
        for record in tables[0]:
            names = [cell.get("name") for cell in record if cell.tag == "cell"]
            if record.tag != "record" or names != XML_COLUMNS:
                problems.append(f"report {code}: record cells do not match the columns")
    return problems


def concentration_level(amount: Decimal, base: Decimal | None, cap_pct: Decimal,
                        levels_pct: list[Decimal]) -> tuple[Decimal, Decimal | None]:
    """(share of the base in %, the highest alert level crossed as a % of the cap, or None).
    R-7 to R-9: alerts at 80 %, 90 % and 100 % of each cap by default."""
    if not base or base <= 0:
        return (ZERO, None)
    share = (amount / base * 100).quantize(Decimal("0.01"))
    crossed = [lvl for lvl in levels_pct if share >= cap_pct * lvl / 100]
    return (share, max(crossed) if crossed else None)
