"""Backup schedules (domain spec D-5, Appendix B): a full set weekly, a set every other day, retention
after each, and the restore drill every quarter (D-2)."""

from __future__ import annotations

from datetime import datetime, time

from django.utils.translation import gettext_lazy as _

from kehu.backup.services import backup_create, backup_prune, restore_drill
from kehu.core.errors import DomainError, PermissionDenied
from kehu.core.params import get_param
from kehu.core.permissions import Perm
from kehu.core.scheduler import Job, daily_slot
from kehu.core.selectors import access_for

from . import rules


def _full_slot(now: datetime) -> str | None:
    return rules.weekly_slot(now, weekday=int(get_param("backup.full_weekday", on=now.date())),
                             hour=int(get_param("backup.at_hour", on=now.date())))


def _daily_slot(now: datetime) -> str | None:
    slot = daily_slot(now, at=time(int(get_param("backup.at_hour", on=now.date()))))
    if datetime.fromisoformat(slot).weekday() == int(get_param("backup.full_weekday", on=now.date())):
        return None  # the weekly full set covers that day
    return slot


def _run(kind: str):
    def run(slot: str, now: datetime) -> dict:
        backup = backup_create(kind=kind)
        pruned = backup_prune()
        return {"backup": backup.pk, "size": backup.size, "rows": backup.rows, "destroyed": pruned["destroyed"]}
    return run


def _drill(slot: str, now: datetime) -> dict:
    drill = restore_drill(now=now)
    return {"drill": drill.pk, "ok": drill.ok, "seconds": round(drill.seconds or 0, 1)}


JOBS = [
    Job("backup.full", _("Weekly full backup"), _full_slot, _run("full")),
    Job("backup.daily", _("Daily backup"), _daily_slot, _run("daily")),
    Job("backup.restore_drill", _("Quarterly restore drill"), rules.quarter_slot, _drill),
]


# ------------------------------------------------------------------ a backup as a background job (kehu.core.jobs)

def authorize_create(user, params: dict) -> dict:
    """``POST /api/v1/jobs`` kind ``backup.create``: the system administrator (parameters and users)."""

    access = access_for(user)
    if not access.has(Perm.PARAM_MANAGE) or not access.has(Perm.USER_MANAGE):
        raise PermissionDenied()
    return {"kind": "manual"}


def create_job(ctx) -> dict:
    """Make a backup set into the configured directory; its progress is the snapshot's table count.

    Not retried on its own: a set that failed half-way is recorded failed, and another attempt is a new set."""

    def progress(task: str, done: int, total: int) -> None:
        ctx.progress(done, total, note=task)

    backup = backup_create(actor=ctx.actor, kind=ctx.params.get("kind") or "manual", progress=progress)
    if backup.state != backup.State.DONE:

        raise DomainError(backup.error or str(backup.get_state_display()), code="backup_failed")
    return {"backup": backup.pk, "state": backup.state, "size": backup.size, "rows": backup.rows}


def authorize_drill(user, params: dict) -> dict:
    """``POST /api/v1/jobs`` kind ``backup.restore_drill``: the system administrator, as for a backup."""
    authorize_create(user, params)
    return {}


def drill_job(ctx) -> dict:
    """A restore drill on request (D-2): the newest good set restored into a scratch target and checked; the
    drill row records the outcome whether it passed or not, so the job itself succeeds either way."""

    ctx.progress(0, 1, note=str(_("Restore drill")))
    drill = restore_drill(actor=ctx.actor)
    ctx.progress(1, 1, note=str(_("Restore drill")))
    return {"drill": drill.pk, "ok": drill.ok, "seconds": round(drill.seconds or 0, 1), "problems": drill.problems[:20]}
