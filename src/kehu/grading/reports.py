"""The monthly customer-grade summary (客户等级管理汇总表, G-10) as rows, XLSX, PDF, and the charts as
server-rendered SVG (matplotlib, Agg backend): grade distribution, migration from last month, scores."""

from __future__ import annotations

import io
from xml.sax.saxutils import escape

from django.db.models import Count
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from kehu.core.charts import chart_style, count_axis, new_figure, no_negative, svg_of
from kehu.core.exports import mark_workbook, safe_row
from kehu.customers.selectors import masked
from kehu.grading.rules import GRADES

COLUMNS = ("customer", "volume", "fulfilment", "payment", "operating", "total", "grade", "knockout", "previous",
           "change")


def headers() -> list[str]:
    return [_("Customer"), _("Purchase volume"), _("Contract fulfilment"), _("Payment"), _("Operating status"),
            _("Total score"), _("Grade"), _("Knock-out applied"), _("Last month"), pgettext("grade", "Change")]


def summary_rows(results, *, unmask: bool = False) -> list[list]:
    """One row per result; individuals' names masked as in the archive unless ``unmask``."""

    return [[r.customer.true_name if unmask else masked(r.customer, "name"), r.score_volume, r.score_fulfilment,
             r.score_payment, r.score_operating, r.total_score, r.grade + ("*" if r.overridden else ""), r.knockout,
             r.previous_grade, r.change] for r in results]


def summary_xlsx(period, results, *, unmask: bool = False, mark: str = "") -> bytes:
    """The summary as XLSX: cells neutralised against formula injection, ``mark`` (the watermark) as the
    last row and in the workbook's properties."""
    # openpyxl loads only when a workbook is read or written
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = period.strftime("%Y-%m")
    ws.append([_("Customer grade summary") + " " + period.strftime("%Y-%m")])
    ws.append(headers())
    for row in summary_rows(results.iterator(chunk_size=2000), unmask=unmask):
        ws.append(safe_row("" if v is None else v for v in row))
    if mark:
        ws.append([mark])
        mark_workbook(wb, mark)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


# The PDF's font: Adobe's Song (宋体) CID font that reportlab knows by name. A CID font needs no font file
# on the machine that makes the PDF, so the PDF has Chinese text on any machine with nothing but kehu's
# install; PDF readers render it with their Chinese font (Adobe-GB1 character collection).
PDF_FONT = "STSong-Light"


def summary_pdf(period, results, limit: int = 40, *, unmask: bool = False, mark: str = "") -> bytes:
    """One table page (the first ``limit`` customers; the XLSX has them all), A4 landscape. Cells wrap, so
    a long name takes two lines instead of running over its neighbours."""
    # reportlab loads only when a PDF is made
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Table, TableStyle

    if PDF_FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(PDF_FONT))
    cell = ParagraphStyle("cell", fontName=PDF_FONT, fontSize=7.5, leading=9, wordWrap="CJK")
    head = ParagraphStyle("head", parent=cell, fontSize=7.5)
    title = ParagraphStyle("title", fontName=PDF_FONT, fontSize=14, leading=18, spaceAfter=6)

    def para(value, style=cell):
        return Paragraph(escape("" if value is None else str(value)), style)

    rows = summary_rows(results[:limit], unmask=unmask)
    data = [[para(h, head) for h in headers()]] + [[para(v) for v in row] for row in rows]
    page = landscape(A4)
    usable = page[0] - 20 * mm
    # the customer column takes what the nine narrow columns leave
    narrow = [20 * mm, 20 * mm, 18 * mm, 20 * mm, 18 * mm, 14 * mm, 22 * mm, 16 * mm, 14 * mm]
    widths = [usable - sum(narrow), *narrow]
    table = Table(data, colWidths=widths, repeatRows=1)
    table.setStyle(TableStyle([
        ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eef2f6")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]))
    out = io.BytesIO()
    doc = SimpleDocTemplate(out, pagesize=page, leftMargin=10 * mm, rightMargin=10 * mm, topMargin=10 * mm,
                            bottomMargin=10 * mm, title=_("Customer grade summary") + " " + period.strftime("%Y-%m"))
    story = [para(_("Customer grade summary") + " " + period.strftime("%Y-%m"), title), table]
    if mark:  # the watermark (who exported it, when) under the table
        story.append(para(mark, ParagraphStyle("mark", parent=cell, textColor=colors.grey, spaceBefore=6)))
    doc.build(story)
    return out.getvalue()


def charts(results) -> dict[str, str]:
    counts = dict(results.order_by().values_list("grade").annotate(n=Count("id")))
    moves = (results.exclude(previous_grade="").order_by().values("previous_grade", "grade")
             .annotate(n=Count("id")).values_list("previous_grade", "grade", "n"))
    matrix = [[0] * len(GRADES) for _g in GRADES]
    for a, b, n in moves:
        matrix[GRADES.index(a)][GRADES.index(b)] = n
    scores = [float(s) for s in results.values_list("total_score", flat=True)[:200000]]
    out = {}
    with chart_style():
        fig = new_figure((5, 3))
        ax = fig.add_subplot()
        ax.bar(list(GRADES), [counts.get(g, 0) for g in GRADES], color="#3a6ea5")
        count_axis(ax.yaxis)  # numbers of customers: whole, from zero
        no_negative(ax)
        ax.set_title(_("Grade distribution"))
        out["distribution"] = svg_of(fig)
        fig = new_figure((4, 4))
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
        out["migration"] = svg_of(fig)
        fig = new_figure((5, 3))
        ax = fig.add_subplot()
        ax.hist(scores, bins=list(range(0, 105, 5)), color="#6a8f3a")
        count_axis(ax.yaxis)
        no_negative(ax)
        ax.set_title(_("Score histogram"))
        out["histogram"] = svg_of(fig)
    return out
