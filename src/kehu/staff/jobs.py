"""``staff.scorecard`` on kehu's scheduler (Appendix B, monthly): on the n-th working day score the month
before, and publish what will be measured next month (P-6: before that month starts)."""

from __future__ import annotations

from datetime import datetime, time

from django.utils.translation import gettext_lazy as _

from kehu.core.calendar import is_chinese_workday
from kehu.core.params import get_param
from kehu.core.periods import month_before, parse_period
from kehu.core.scheduler import Job, monthly_slot
from kehu.staff.services import notice_publish, scorecards_compute


def _slot(now: datetime) -> str | None:
    return monthly_slot(now, working_day=int(get_param("staff.score_working_day", on=now.date())), at=time(7, 0),
                        is_workday=is_chinese_workday)


def _run(slot: str, now: datetime) -> dict:
    this_month = parse_period(slot)
    result = scorecards_compute(period=month_before(this_month), now=now)
    following = this_month.replace(year=this_month.year + (this_month.month == 12), month=this_month.month % 12 + 1)
    notice_publish(period=following, now=now)
    return {**result, "notice_for": f"{following:%Y-%m}"}


JOB = Job("staff.scorecard", _("Monthly staff scorecards"), _slot, _run)
