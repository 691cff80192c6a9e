"""The SLA watcher: set-based statements over the pending clock checkpoints, no per-ticket Python loop.

Every due time of a ticket is watched (the first response, including online service's first reply of S-13 /
线上服务管理制度 一.2; the resolution; a financial consumer's regulatory deadline of S-6), each on its own
clock: working time for working-hour and working-day targets, wall time for calendar days. The moments at
which a clock reaches each warning fraction (``service.sla_warn_fractions``) and its due time are computed
on the business calendar when the due time is set (``services.schedule_checkpoints``); the watcher only
compares them with the present."""

from __future__ import annotations

from decimal import Decimal

from django.db import connection, transaction
from django.utils import timezone

from kehu.core.audit import audit_record
from kehu.core.params import get_param
from kehu.helpdesk.events import HelpdeskEvent as E
from kehu.helpdesk.rules import TERMINAL

OPEN_STATES = tuple(sorted(set(s for s in (
    "received", "acknowledged", "investigating", "extended_30", "extended_60", "resolution_proposed", "approved",
    "communicated", "reopened", "authorised", "goods_received", "inspected", "dispositioned", "credited")) - set(TERMINAL)))


def _live(placeholders: str) -> str:
    """Checkpoints of running clocks: the ticket open and not paused, a first-response clock not yet
    answered."""
    return (f"k.done_at IS NULL AND t.state IN ({placeholders}) AND t.paused_at IS NULL "
            f"AND (k.clock <> 'first_response' OR t.first_responded_at IS NULL)")


def sla_watch(*, now=None) -> dict:
    """Warn the clocks that have used a configured fraction of their time, record a breach (for staff
    performance) and mark the ticket breached (escalation) when a due time has passed. Paused tickets are
    skipped. Each checkpoint is acted on once."""
    now = now or timezone.now()
    fractions = sorted({Decimal(str(f)) for f in get_param("service.sla_warn_fractions")})
    placeholders = ", ".join(["%s"] * len(OPEN_STATES))
    live = _live(placeholders)
    join = "FROM helpdesk_slacheckpoint k JOIN helpdesk_ticket t ON t.id = k.ticket_id"
    result = {"warned": {}, "breached": 0, "breached_by_clock": {}}
    at_now = connection.ops.adapt_datetimefield_value(now)  # stored form (UTC text on SQLite)
    with transaction.atomic(), connection.cursor() as cur:
        due = f"{join} WHERE {live} AND k.fraction = 1 AND k.at < %s"
        cur.execute(f"SELECT k.clock, COUNT(*) {due} GROUP BY k.clock", [*OPEN_STATES, at_now])
        result["breached_by_clock"] = {clock: n for clock, n in cur.fetchall()}
        cur.execute(
            f"""INSERT INTO helpdesk_slabreach (ticket_id, handler_id, clock, due_at, recorded_at)
                SELECT t.id, t.handler_id, k.clock, k.at, %s {due}""", [at_now, *OPEN_STATES, at_now])
        cur.execute(
            f"""UPDATE helpdesk_ticket SET breached = %s, warned_fraction = 1
                WHERE id IN (SELECT t.id {due})""", [True, *OPEN_STATES, at_now])
        result["breached"] = cur.rowcount
        cur.execute(f"UPDATE helpdesk_slacheckpoint SET done_at = %s WHERE id IN (SELECT k.id {due})",
                    [at_now, *OPEN_STATES, at_now])
        for fraction in reversed([f for f in fractions if 0 < f < 1]):
            reached = f"{join} WHERE {live} AND k.fraction = %s AND k.at <= %s"
            cur.execute(
                f"""UPDATE helpdesk_ticket SET warned_fraction = %s
                    WHERE warned_fraction < %s AND id IN (SELECT t.id {reached})""",
                [fraction, fraction, *OPEN_STATES, fraction, at_now])
            cur.execute(f"UPDATE helpdesk_slacheckpoint SET done_at = %s WHERE id IN (SELECT k.id {reached})",
                        [at_now, *OPEN_STATES, fraction, at_now])
            result["warned"][str(fraction)] = cur.rowcount
        audit_record(actor=None, event_code=E.SLA_BREACHED, object_type="helpdesk.sla_watch", object_id="",
                     new={"breached": result["breached"], "warned": result["warned"],
                          "breached_by_clock": result["breached_by_clock"], "at": now.isoformat()})
    return result
