"""Monthly complaint analysis and repeat-complaint detection. Reads only; the chart is a server-rendered
SVG (matplotlib, Agg backend)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.db.models import Count, Q

from kehu.core.calendar import SHANGHAI
from kehu.core.charts import chart_style, count_axis, new_figure, no_negative, svg_of
from kehu.helpdesk.models import KnowledgeArticle

DIMENSIONS = {"category": "category", "root_cause": "root_cause", "product": "product",
              "customer": "customer__name", "grade": "customer__grade"}


def month_bounds(month: date) -> tuple[datetime, datetime]:
    first = month.replace(day=1)
    nxt = (first + timedelta(days=32)).replace(day=1)
    return datetime.combine(first, time(0), SHANGHAI), datetime.combine(nxt, time(0), SHANGHAI)


def monthly_breakdown(qs, *, month: date, dimension: str) -> list[tuple[str, int]]:
    """Complaints received in the (Asia/Shanghai) month, counted by one dimension, largest first."""
    if dimension not in DIMENSIONS:
        raise ValueError(dimension)
    lo, hi = month_bounds(month)
    # a customer restricted under a legal hold (PI-9) is left out of the analysis, in every dimension
    rows = (qs.filter(kind="complaint", received_at__gte=lo, received_at__lt=hi, customer__pi_restricted=False)
            .values(DIMENSIONS[dimension]).annotate(n=Count("id")).order_by("-n", DIMENSIONS[dimension]))
    return [(r[DIMENSIONS[dimension]] or "—", r["n"]) for r in rows]


def repeat_complaints(qs, *, window_days: int, threshold: int, on: datetime) -> list[tuple[int, str, int]]:
    """Customers with at least ``threshold`` complaints in the same category within ``window_days``."""
    rows = (qs.filter(kind="complaint", received_at__gte=on - timedelta(days=window_days), received_at__lte=on,
                      customer__pi_restricted=False)  # PI-9: a restricted customer is not analysed
            .values("customer_id", "category").annotate(n=Count("id")).filter(n__gte=threshold)
            .order_by("-n", "customer_id"))
    return [(r["customer_id"], r["category"], r["n"]) for r in rows]


def knowledge_search(query: str, limit: int = 20):
    words = [w for w in query.split() if w][:8]
    q = Q()
    for w in words:
        q &= Q(title__icontains=w) | Q(body__icontains=w) | Q(tags__icontains=w)
    return KnowledgeArticle.objects.filter(q).order_by("-updated_at")[:limit] if words else []


def bar_chart_svg(rows: list[tuple[str, int]], title: str) -> str:
    with chart_style():
        fig = new_figure((6, 3))
        ax = fig.subplots()
        labels = [str(label) for label, _ in rows[:12]]
        ax.barh(labels[::-1], [n for _, n in rows[:12]][::-1])
        count_axis(ax.xaxis)  # counts of tickets: whole numbers, from zero
        no_negative(ax, "x")
        ax.set_title(title)
        return svg_of(fig)
