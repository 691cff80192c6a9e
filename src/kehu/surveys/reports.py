"""Satisfaction reports (domain spec section 8, Appendix C.8): CSAT (share of 4-5 overall scores) and
response rate by month, channel (trigger), team and customer grade; satisfaction against complaints by
month; the answers behind any figure. Everything within the caller's data scope; set-based aggregates."""

from __future__ import annotations

import io
from datetime import date, datetime, time, timedelta

from django.db.models import Count, Q
from django.db.models.functions import TruncMonth
from django.utils import timezone

from kehu.core.charts import chart_style, new_figure, svg_of
from kehu.core.errors import InvalidInput, PermissionDenied
from kehu.core.exports import safe_row
from kehu.core.params import get_param
from kehu.core.periods import month_end, parse_period
from kehu.core.selectors import access_for
from kehu.helpdesk.selectors import ticket_list

from . import permissions as P
from .models import Answer, Invitation

DIMENSIONS = {"month": "month", "channel": "trigger", "team": "team", "grade": "customer_grade"}


def invitations_visible_to(user):
    access = access_for(user)
    if not access.has(P.VIEW):
        raise PermissionDenied()
    # A customer restricted under a legal hold (PI-9) is left out of every figure, list and export of the
    # report; invitations without a customer (reception visitors) stay.
    return Invitation.objects.filter(access.scope_q(P.VIEW, org_path_field="org_path")).exclude(
        customer__pi_restricted=True)


def _window(start: date, end: date) -> tuple[datetime, datetime]:
    if end < start:
        raise InvalidInput(field="end", code="before_start")
    tz = timezone.get_current_timezone()
    return datetime.combine(start, time(0), tz), datetime.combine(month_end(end) + timedelta(days=1), time(0), tz)


def _scoped(user, start: date, end: date, filters: dict | None = None):
    lo, hi = _window(start, end)
    qs = invitations_visible_to(user).filter(sent_at__gte=lo, sent_at__lt=hi)
    for dim, value in (filters or {}).items():
        if dim in DIMENSIONS and dim != "month" and value is not None:
            qs = qs.filter(**{DIMENSIONS[dim]: value})
    return qs


def _rows(qs, field: str, satisfied_from: int) -> list[dict]:
    if field == "month":
        qs = qs.annotate(month=TruncMonth("sent_at", tzinfo=timezone.get_current_timezone()))
    grouped = qs.values(field).annotate(
        sent=Count("id"), answered=Count("answer"),
        satisfied=Count("answer", filter=Q(answer__overall__gte=satisfied_from))).order_by(field)
    rows = []
    for g in grouped:
        key = g[field]
        if isinstance(key, datetime):
            key = timezone.localtime(key).strftime("%Y-%m") if timezone.is_aware(key) else key.strftime("%Y-%m")
        elif isinstance(key, date):
            key = key.strftime("%Y-%m")
        rows.append({"key": key or "", "sent": g["sent"], "answered": g["answered"], "satisfied": g["satisfied"],
                     "response_rate": round(100.0 * g["answered"] / g["sent"], 1) if g["sent"] else None,
                     "csat": round(100.0 * g["satisfied"] / g["answered"], 1) if g["answered"] else None})
    return rows


def complaints_by_month(user, start: date, end: date) -> dict[str, int]:
    """Complaints received per month that the user may see in the helpdesk (none without that permission)."""

    lo, hi = _window(start, end)
    try:
        tickets = ticket_list(user=user)
    except PermissionDenied:
        return {}
    grouped = tickets.filter(kind="complaint", received_at__gte=lo, received_at__lt=hi,
                             customer__pi_restricted=False).annotate(  # PI-9, as the helpdesk analysis
        month=TruncMonth("received_at", tzinfo=timezone.get_current_timezone())).values("month").annotate(
        n=Count("id")).order_by("month")
    return {timezone.localtime(g["month"]).strftime("%Y-%m") if timezone.is_aware(g["month"])
            else g["month"].strftime("%Y-%m"): g["n"] for g in grouped}


def csat_report(*, user, start: date, end: date, filters: dict | None = None) -> dict:
    satisfied_from = int(get_param("survey.csat_min_score", on=end))
    qs = _scoped(user, start, end, filters)
    total = _rows(qs, "trigger", satisfied_from)
    sent = sum(r["sent"] for r in total)
    answered = sum(r["answered"] for r in total)
    satisfied = sum(r["satisfied"] for r in total)
    by_month = _rows(qs, "month", satisfied_from)
    complaints = complaints_by_month(user, start, end)
    trend = [{"month": r["key"], "csat": r["csat"], "complaints": complaints.get(r["key"], 0)} for r in by_month]
    for month, n in complaints.items():
        if month not in {t["month"] for t in trend}:
            trend.append({"month": month, "csat": None, "complaints": n})
    trend.sort(key=lambda t: t["month"])
    return {
        "total": {"sent": sent, "answered": answered, "satisfied": satisfied,
                  "response_rate": round(100.0 * answered / sent, 1) if sent else None,
                  "csat": round(100.0 * satisfied / answered, 1) if answered else None},
        "month": by_month, "channel": total, "team": _rows(qs, "team", satisfied_from),
        "grade": _rows(qs, "customer_grade", satisfied_from), "trend": trend, "satisfied_from": satisfied_from,
    }


def answers_for(*, user, start: date, end: date, dim: str | None = None, value: str | None = None,
                filters: dict | None = None, limit: int = 500):
    """The answers behind a figure: ``dim`` one of month, channel, team, grade, and its value."""
    qs = _scoped(user, start, end, filters)
    if dim:
        if dim not in DIMENSIONS:
            raise InvalidInput(field="dim", code="unknown_dimension")
        if dim == "month":

            first = parse_period(value)
            lo, hi = _window(first, first)
            qs = qs.filter(sent_at__gte=lo, sent_at__lt=hi)
        else:
            qs = qs.filter(**{DIMENSIONS[dim]: value or ""})
    return Answer.objects.filter(invitation__in=qs).select_related("invitation", "follow_up") \
        .order_by("-answered_at", "-pk")[:limit]


# ----------------------------------------------------------------------------------- charts and XLSX

def trend_svg(trend: list[dict], *, title: str, csat_label: str, complaints_label: str) -> str:
    """CSAT (bars, left axis, %) against complaints received (line, right axis) per month."""
    with chart_style():
        fig = new_figure((7, 3.2))
        ax = fig.subplots()
        months = [t["month"] for t in trend]
        ax.bar(months, [t["csat"] or 0 for t in trend], color="#4c78a8", label=csat_label)
        ax.set_ylim(0, 100)
        ax.set_ylabel(csat_label)
        right = ax.twinx()
        right.plot(months, [t["complaints"] for t in trend], color="#e45756", marker="o", label=complaints_label)
        right.set_ylabel(complaints_label)
        right.set_ylim(bottom=0)
        ax.set_title(title)
        return svg_of(fig)


def bar_svg(rows: list[dict], *, title: str, labels: dict | None = None) -> str:
    with chart_style():
        fig = new_figure((6, 3))
        ax = fig.subplots()
        names = [str((labels or {}).get(r["key"], r["key"]) or "-") for r in rows[:15]]
        ax.barh(names[::-1], [r["csat"] or 0 for r in rows[:15]][::-1], color="#4c78a8")
        ax.set_xlim(0, 100)
        ax.set_title(title)
        return svg_of(fig)


def report_xlsx(report: dict, answers, *, headings: dict, labels: dict) -> bytes:
    # openpyxl loads only when a workbook is read or written
    import openpyxl

    book = openpyxl.Workbook(write_only=True)
    columns = [headings["key"], headings["sent"], headings["answered"], headings["response_rate"], headings["csat"]]
    for dim in ("month", "channel", "team", "grade"):
        sheet = book.create_sheet(title=str(headings[dim]))
        _append(sheet, [str(c) for c in columns])
        for r in report[dim]:
            _append(sheet, [str(labels.get(r["key"], r["key"])), r["sent"], r["answered"], r["response_rate"], r["csat"]])
    sheet = book.create_sheet(title=str(headings["trend"]))
    _append(sheet, [str(headings["month"]), str(headings["csat"]), str(headings["complaints"])])
    for t in report["trend"]:
        _append(sheet, [t["month"], t["csat"], t["complaints"]])
    sheet = book.create_sheet(title=str(headings["answers"]))
    _append(sheet, [str(headings[k]) for k in ("answered_at", "channel", "team", "grade", "overall", "lowest", "comment",
                                             "follow_up")])
    for a in answers:
        _append(sheet, [timezone.localtime(a.answered_at).strftime("%Y-%m-%d %H:%M"),
                      str(labels.get(a.invitation.trigger, a.invitation.trigger)), a.invitation.team,
                      a.invitation.customer_grade, a.overall, a.lowest, a.comment, a.follow_up_id])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _append(sheet, row) -> None:
    # every cell through the one helper against formula injection (a comment typed by a customer)
    sheet.append(safe_row(row))
