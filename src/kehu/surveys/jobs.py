"""``surveys.dispatch`` on kehu's scheduler (Appendix B: every 15 minutes)."""

from __future__ import annotations

from datetime import datetime

from django.utils.translation import gettext_lazy as _

from kehu.core.errors import PermissionDenied
from kehu.core.params import get_param
from kehu.core.scheduler import Job, every_slot
from kehu.core.selectors import access_for
from kehu.surveys.permissions import MANAGE
from kehu.surveys.services import surveys_dispatch


def _slot(now: datetime) -> str:
    return every_slot(now, minutes=int(get_param("survey.dispatch_minutes", on=now.date())))


def _run(slot: str, now: datetime) -> dict:
    return surveys_dispatch(now=now)


JOB = Job("surveys.dispatch", _("Satisfaction survey dispatch"), _slot, _run)


# ------------------------------------------------------------------ dispatch as a background job (kehu.core.jobs)

def authorize_dispatch(user, params: dict) -> dict:
    """``POST /api/v1/jobs`` kind ``surveys.dispatch``: the survey managers may send what is due now."""

    if not access_for(user).has(MANAGE):
        raise PermissionDenied()
    return {}


def dispatch_job(ctx) -> dict:
    """Send the surveys that are due (each source once by its unique key, so a second run sends nothing twice)."""

    return surveys_dispatch()
