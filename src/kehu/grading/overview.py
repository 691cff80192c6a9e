"""What grading adds to the customer page: this month's grade with the change, and grades on the timeline."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kehu.core.periods import month_end
from kehu.customers.overview import (
    SummaryCard,
    TimelineEntry,
    TimelineKind,
    register_card,
    register_timeline_kind,
)
from kehu.grading.events import GradingEvent
from kehu.grading.models import GradeResult
from kehu.grading.permissions import GradingPerm


def _card(*, customer, user, access, today) -> dict | None:
    results = list(GradeResult.objects.filter(customer=customer).order_by("-period")
                   .only("period", "grade", "previous_grade", "total_score", "change")[:2])
    if not results:
        return {"url": "", "rows": [{"label": _("Grade"), "value": _("not graded yet"), "state": ""}]}
    latest = results[0]
    change = {None: "", 0: _("unchanged")}.get(latest.change)
    if change is None:
        change = _("up %(n)d") % {"n": latest.change} if latest.change > 0 else _("down %(n)d") % {"n": -latest.change}
    state = {"A": "ok", "B": "ok", "C": "", "D": "warn", "E": "bad"}.get(latest.grade, "")
    period = latest.period.strftime("%Y-%m")
    rows = [{"label": _("Grade %(period)s") % {"period": period}, "value": latest.grade, "state": state},
            {"label": _("Score"), "value": f"{latest.total_score}"}]
    if latest.previous_grade:
        rows.append({"label": _("Last month"), "value": f"{latest.previous_grade} ({change})"})
    return {"url": reverse("grading:result", args=[period, customer.pk]), "rows": rows}


def _grades(*, customer, before, limit) -> list[TimelineEntry]:
    # A grade belongs to the end of its month: that is when it was earned.
    rows = GradeResult.objects.filter(customer=customer).order_by("-period")
    if before is not None:
        rows = rows.filter(period__lte=timezone.localtime(before[0]).date())
    out = []
    for r in rows.only("id", "period", "grade", "total_score", "change")[:limit]:
        ts = timezone.make_aware(datetime.combine(month_end(r.period), time(23, 59, 59)) - timedelta(seconds=0))
        detail = _("%(score)s points") % {"score": r.total_score}
        out.append(TimelineEntry(ts=ts, key=f"g:{r.id:012d}", kind="grade",
                                 title=_("Graded %(grade)s for %(period)s") % {"grade": r.grade,
                                                                              "period": r.period.strftime("%Y-%m")},
                                 detail=detail, url=reverse("grading:result", args=[r.period.strftime("%Y-%m"),
                                                                                    customer.pk])))
    return out


def register() -> None:
    register_card(SummaryCard("grade", gettext_lazy("Grade"), 20, GradingPerm.VIEW, _card))
    codes = frozenset(v for k, v in vars(GradingEvent).items() if k.isupper() and isinstance(v, int))
    register_timeline_kind(TimelineKind("grade", gettext_lazy("Grades"), 30, GradingPerm.VIEW, codes, _grades))
