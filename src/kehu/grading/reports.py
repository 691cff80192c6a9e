"""The monthly customer-grade summary (客户等级管理汇总表, G-10) as rows, XLSX, PDF, and the charts as
server-rendered SVG (matplotlib, Agg backend): grade distribution, migration from last month, scores."""

from __future__ import annotations

import io

from django.db.models import Count
from django.utils.translation import gettext as _

from kehu.grading.rules import GRADES

COLUMNS = ("customer", "volume", "fulfilment", "payment", "operating", "total", "grade", "knockout", "previous",
           "change")


def headers() -> list[str]:
    return [_("Customer"), _("Purchase volume"), _("Contract fulfilment"), _("Payment"), _("Operating status"),
            _("Total score"), _("Grade"), _("Knock-out applied"), _("Last month"), _("Change")]


def summary_rows(results) -> list[list]:
    return [[r.customer.name, r.score_volume, r.score_fulfilment, r.score_payment, r.score_operating, r.total_score,
             r.grade + ("*" if r.overridden else ""), r.knockout, r.previous_grade, r.change] for r in results]


def summary_xlsx(period, results) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = period.strftime("%Y-%m")
    ws.append([_("Customer grade summary") + " " + period.strftime("%Y-%m")])
    ws.append(headers())
    for row in summary_rows(results.iterator(chunk_size=2000)):
        ws.append(["" if v is None else v for v in row])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def summary_pdf(period, results, limit: int = 40) -> bytes:
    """One table page (the first ``limit`` customers; the XLSX has them all)."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    rows = [["" if v is None else str(v) for v in row] for row in summary_rows(results[:limit])]
    fig = Figure(figsize=(11.7, 8.3))
    ax = fig.add_subplot()
    ax.axis("off")
    ax.set_title(_("Customer grade summary") + " " + period.strftime("%Y-%m"))
    if rows:
        table = ax.table(cellText=rows, colLabels=headers(), loc="upper center")
        table.auto_set_font_size(False)
        table.set_fontsize(7)
    out = io.BytesIO()
    with matplotlib.rc_context({"font.family": ["Noto Sans CJK SC", "WenQuanYi Zen Hei", "sans-serif"]}):
        fig.savefig(out, format="pdf")
    return out.getvalue()


def _svg(fig) -> str:
    out = io.StringIO()
    fig.savefig(out, format="svg", bbox_inches="tight")
    svg = out.getvalue()
    return svg[svg.index("<svg"):]


def charts(results) -> dict[str, str]:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    from kehu.core.charts import count_axis, no_negative

    counts = dict(results.order_by().values_list("grade").annotate(n=Count("id")))
    moves = (results.exclude(previous_grade="").order_by().values("previous_grade", "grade")
             .annotate(n=Count("id")).values_list("previous_grade", "grade", "n"))
    matrix = [[0] * len(GRADES) for _g in GRADES]
    for a, b, n in moves:
        matrix[GRADES.index(a)][GRADES.index(b)] = n
    scores = [float(s) for s in results.values_list("total_score", flat=True)[:200000]]
    out = {}
    with matplotlib.rc_context({"svg.fonttype": "none", "font.family": ["sans-serif"]}):
        fig = Figure(figsize=(5, 3))
        ax = fig.add_subplot()
        ax.bar(list(GRADES), [counts.get(g, 0) for g in GRADES], color="#3a6ea5")
        count_axis(ax.yaxis)  # numbers of customers: whole, from zero
        no_negative(ax)
        ax.set_title(_("Grade distribution"))
        out["distribution"] = _svg(fig)
        fig = Figure(figsize=(4, 4))
        ax = fig.add_subplot()
        ax.imshow(matrix, cmap="Blues")
        ax.set_xticks(range(len(GRADES)), list(GRADES))
        ax.set_yticks(range(len(GRADES)), list(GRADES))
        ax.set_xlabel(_("This month"))
        ax.set_ylabel(_("Last month"))
        for i, row in enumerate(matrix):
            for j, n in enumerate(row):
                ax.text(j, i, str(n), ha="center", va="center")
        ax.set_title(_("Grade migration"))
        out["migration"] = _svg(fig)
        fig = Figure(figsize=(5, 3))
        ax = fig.add_subplot()
        ax.hist(scores, bins=list(range(0, 105, 5)), color="#6a8f3a")
        count_axis(ax.yaxis)
        no_negative(ax)
        ax.set_title(_("Score histogram"))
        out["histogram"] = _svg(fig)
    return out
