"""The SLA watcher: set-based statements over all open tickets, no per-ticket Python loop."""

from __future__ import annotations

from decimal import Decimal

from django.db import connection, transaction
from django.utils import timezone

from kehu.core.audit import audit_record
from kehu.core.params import get_param

from .events import HelpdeskEvent as E
from .rules import TERMINAL

OPEN_STATES = tuple(sorted(set(s for s in (
    "received", "acknowledged", "investigating", "extended_30", "extended_60", "resolution_proposed", "approved",
    "communicated", "reopened", "authorised", "goods_received", "inspected", "dispositioned", "credited")) - set(TERMINAL)))


def sla_watch(*, now=None) -> dict:
    """Warn tickets that have used a configured fraction of their resolution time, record a breach (for
    staff performance) and mark escalation when the due time has passed. Paused tickets are skipped."""
    now = now or timezone.now()
    fractions = sorted(Decimal(str(f)) for f in get_param("service.sla_warn_fractions"))
    placeholders = ", ".join(["%s"] * len(OPEN_STATES))
    result = {"warned": {}, "breached": 0}
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(
            f"""INSERT INTO helpdesk_slabreach (ticket_id, handler_id, clock, due_at, recorded_at)
                SELECT id, handler_id, 'resolution', resolution_due, %s FROM helpdesk_ticket
                WHERE state IN ({placeholders}) AND paused_at IS NULL AND breached = %s
                  AND resolution_due IS NOT NULL AND resolution_due < %s""",
            [now, *OPEN_STATES, False, now])
        cur.execute(
            f"""UPDATE helpdesk_ticket SET breached = %s, warned_fraction = 1
                WHERE state IN ({placeholders}) AND paused_at IS NULL AND breached = %s
                  AND resolution_due IS NOT NULL AND resolution_due < %s""",
            [True, *OPEN_STATES, False, now])
        result["breached"] = cur.rowcount
        for fraction in reversed(fractions):
            # elapsed / total >= fraction  <=>  received + fraction * (due - received) <= now, rewritten
            # without interval arithmetic as: now - received >= fraction * (due - received) on epoch seconds
            cur.execute(
                f"""UPDATE helpdesk_ticket SET warned_fraction = %s
                    WHERE state IN ({placeholders}) AND paused_at IS NULL AND breached = %s
                      AND resolution_due IS NOT NULL AND warned_fraction < %s
                      AND {_epoch('%s')} - {_epoch('received_at')} >=
                          %s * ({_epoch('resolution_due')} - {_epoch('received_at')})""",
                [fraction, *OPEN_STATES, False, fraction, now, fraction])
            result["warned"][str(fraction)] = cur.rowcount
        audit_record(actor=None, event_code=E.SLA_BREACHED, object_type="helpdesk.sla_watch", object_id="",
                     new={"breached": result["breached"], "warned": result["warned"], "at": now.isoformat()})
    return result


def _epoch(expr: str) -> str:
    if connection.vendor == "postgresql":
        return f"EXTRACT(EPOCH FROM {expr if expr != '%s' else '%s::timestamptz'})"
    return f"(julianday({expr}) * 86400.0)"
