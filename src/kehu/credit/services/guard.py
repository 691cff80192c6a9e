"""The exposure guard: reserve → post → partial/whole release → repay → expire.

Every path that changes a line's use runs the same steps, in one transaction:
1. the customer row is locked by ``customer_require_tradable`` (the admission guard);
2. the line, and the group line of a group member, are locked in primary-key order, then the sub-limit;
3. the limits are checked on the locked rows (for the refusal reason) and the counters are changed by a
   conditional UPDATE whose WHERE clause repeats the check, so a stale read can never pass;
4. the database CHECK constraints repeat it a third time.
Writes take an idempotency key: a retry returns the stored result and changes nothing.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from kehu.core.audit import audit_record
from kehu.core.errors import Conflict, DomainError, InvalidInput, InvalidTransition, NotFound
from kehu.core.inputs import amount as parse_amount
from kehu.core.inputs import choice, plain_decimal, positive_amount, text
from kehu.core.models import User
from kehu.core.params import get_param
from kehu.core.writes import insert_one
from kehu.credit import rules
from kehu.credit.errors import CreditRefused, IdempotencyMismatch
from kehu.credit.events import CreditEvent
from kehu.credit.models import CreditLine, CreditUse, LineMovement, SubLimit
from kehu.credit.permissions import CreditPerm
from kehu.credit.services._base import (
    check_line_scope,
    fingerprint,
    idem_key,
    line_for,
    lock_lines,
    movement,
    remember,
    replay,
)
from kehu.credit.services.membership import charge_uses_to_group_line
from kehu.customers import rules as customer_rules
from kehu.customers.errors import CustomerNotTradable
from kehu.customers.models import Customer, GroupMembership
from kehu.customers.services import customer_require_tradable

ZERO = Decimal("0.00")


class _Refusal(Exception):
    def __init__(self, error: CreditRefused, line_id: int, product: str, amount: Decimal, customer_id: int):
        self.error, self.line_id, self.product, self.amount, self.customer_id = error, line_id, product, amount, \
            customer_id


def _rate(value: Any) -> Decimal:
    if value is None or value == "":
        raise InvalidInput(_("An exchange rate is required for a use in another currency."), field="fx_rate")
    rate = plain_decimal(value, "fx_rate", _("fx_rate must be a decimal number."))
    if not rate.is_finite() or rate <= 0 or rate > 100000 or rate != rate.quantize(Decimal("0.00000001")):
        raise InvalidInput(_("fx_rate is out of range."), field="fx_rate")
    return rate


def _group_line_for(customer_id: int, today) -> CreditLine | None:
    membership = GroupMembership.objects.filter(customer_id=customer_id).first()
    if membership is None:
        return None
    return (CreditLine.objects.filter(kind="group", group_id=membership.group_id,
                                      status__in=sorted(rules.LIVE_STATUSES)).order_by("-pk").first())


def _refuse(code: str, message: str, *, line: CreditLine, product: str, amount: Decimal) -> _Refusal:
    return _Refusal(CreditRefused(message, code=code), line.pk, product, amount, line.customer_id)


def _limit_message(kind: str, limit: Decimal, used: Decimal, amount: Decimal, currency: str) -> str:
    names = {"line": _("the credit line"), "sub_limit": _("the product sub-limit"), "group_line": _("the group line")}
    return _("%(amount)s %(currency)s does not fit in %(what)s: limit %(limit)s, already used %(used)s, "
             "available %(available)s.") % {
        "amount": amount, "currency": currency, "what": names[kind], "limit": limit, "used": used,
        "available": max(ZERO, limit - used)}


def use_reserve(
    *, actor: User | None, line_id: int, product: str, amount: Any, currency: str | None = None, fx_rate: Any = None,
    reference: str = "", margin_amount: Any = None, low_risk_collateral_amount: Any = None,
    idempotency_key: str = "", channel: str = "",
) -> CreditUse:
    """Reserve ``amount`` against the line, its product sub-limit and the group line (B-4, B-5).

    The fast path is one read (the line with its customer's admission status, locked against termination,
    its group line and its sub-limit), one conditional UPDATE per counter row (line, sub-limit, group line)
    whose WHERE clause is the limit check itself, one INSERT of the use (carrying the idempotency key, unique),
    one of its history rows and the audit row. A refused UPDATE rolls the attempt back and the request is
    decided again under row locks (``_reserve_locked``), which names the limit that does not fit. A retry
    with the same key loses the race on the unique key and returns the first request's use."""
    product = choice(product, "product", rules.PRODUCTS)
    original = positive_amount(amount, "amount")
    margin = parse_amount(margin_amount, "margin_amount") or ZERO
    collateral = parse_amount(low_risk_collateral_amount, "low_risk_collateral_amount") or ZERO
    reference = text(reference, "reference", max_length=64)
    key = idem_key(idempotency_key)
    currency_in = (currency or "").strip().upper()
    fp = fingerprint("reserve", line=line_id, product=product, amount=original, currency=currency_in, fx=fx_rate,
                     ref=reference, margin=margin, coll=collateral, actor=getattr(actor, "pk", None))
    request = dict(actor=actor, line_id=line_id, product=product, original=original, currency_in=currency_in,
                   fx_rate=fx_rate, reference=reference, margin=margin, collateral=collateral, key=key, fp=fp,
                   channel=channel)
    try:
        try:
            with transaction.atomic():
                return _reserve_fast(**request)
        except _NoRoom:
            with transaction.atomic():
                return _reserve_locked(**request)
    except _Refusal as refusal:
        earlier = _earlier_use(key, fp)
        if earlier is not None:  # a retry of a request that succeeded before the line filled up
            return earlier
        _record_refusal(actor, refusal, channel)
        raise refusal.error from None
    except (IntegrityError, DomainError):
        # Two requests with one key: the second INSERT meets the unique key (or the retry comes after the
        # line changed); either way the first request's use is the answer.
        earlier = _earlier_use(key, fp)
        if earlier is not None:
            return earlier
        raise


class _NoRoom(Exception):
    """A conditional UPDATE changed no row: decide again under locks (for the exact refusal reason)."""


def _earlier_use(key: str, fp: str) -> CreditUse | None:
    if not key:
        return None
    use = CreditUse.objects.filter(idempotency_key=key).first()
    if use is None:
        return None
    if use.request_fingerprint != fp:  # a key reused for a different request is refused, never answered
        raise IdempotencyMismatch()
    return use


_CENT = Decimal("0.01")


def _dec(value) -> Decimal:
    """A money value read by raw SQL (SQLite returns its NUMERIC columns as int or float)."""
    if isinstance(value, float):
        value = repr(value)
    return Decimal(value).quantize(_CENT)


def _read_for_reserve(line_id: int, product: str) -> dict | None:
    """The line, its customer's admission status, its live group line and its sub-limit for ``product``, in
    one statement. On PostgreSQL the customer row is locked FOR SHARE until commit: a termination (which
    updates it) waits for the reservation and the reservation waits for a termination in flight, while
    reservations of one customer do not wait for each other. On SQLite the write transaction is IMMEDIATE:
    nothing else writes until it commits."""
    line_t, sub_t = CreditLine._meta.db_table, SubLimit._meta.db_table
    customer_t, member_t = Customer._meta.db_table, GroupMembership._meta.db_table
    live = ", ".join(f"'{status}'" for status in sorted(rules.LIVE_STATUSES))
    lock = " FOR SHARE OF c" if connection.vendor == "postgresql" else ""
    sql = (
        f"SELECT l.id, l.kind, l.org_path, l.status, l.currency, l.customer_id, l.valid_from, l.valid_to, "
        f"c.admission_status, c.org_path, "
        f"(SELECT COUNT(*) FROM {sub_t} s WHERE s.line_id = l.id), "
        f"(SELECT s.id FROM {sub_t} s WHERE s.line_id = l.id AND s.product = %s), "
        f"(SELECT g.id FROM {line_t} g JOIN {member_t} m ON m.group_id = g.group_id WHERE m.customer_id = "
        f"l.customer_id AND g.kind = 'group' AND g.status IN ({live}) ORDER BY g.id DESC LIMIT 1) "
        f"FROM {line_t} l JOIN {customer_t} c ON c.id = l.customer_id WHERE l.id = %s{lock}"
    )
    with connection.cursor() as cur:
        cur.execute(sql, [product, line_id])
        row = cur.fetchone()
    if row is None:
        return None
    names = ["id", "kind", "org_path", "status", "currency", "customer_id", "valid_from", "valid_to",
             "admission_status", "customer_org_path", "sub_limits", "sub_id", "group_line_id"]
    return dict(zip(names, row, strict=True))


def _add_reserved_line(pk: int, amt: Decimal, today) -> tuple[Decimal, Decimal] | None:
    """Raise the line's reserved amount if it is active, in force and ``amt`` fits (the temporary line counts
    while it is in force). Returns (outstanding, reserved) after, or None when no row qualified."""
    table = CreditLine._meta.db_table
    with connection.cursor() as cur:
        cur.execute(
            f"UPDATE {table} SET reserved_amount = reserved_amount + %s, version = version + 1 "
            f"WHERE id = %s AND status = 'active' AND valid_from <= %s AND valid_to >= %s AND reserved_amount + %s "
            f"<= line_amount + (CASE WHEN temp_amount > 0 AND temp_valid_to >= %s THEN temp_amount ELSE 0 END) "
            f"- outstanding_amount RETURNING outstanding_amount, reserved_amount",
            [amt, pk, today, today, amt, today])
        row = cur.fetchone()
    return None if row is None else (_dec(row[0]), _dec(row[1]))


def _add_reserved_sub(pk: int, amt: Decimal) -> bool:
    with connection.cursor() as cur:
        cur.execute(f"UPDATE {SubLimit._meta.db_table} SET reserved_amount = reserved_amount + %s WHERE id = %s "
                    f"AND reserved_amount + %s <= limit_amount - outstanding_amount", [amt, pk, amt])
        return cur.rowcount == 1


def _has_uncharged_uses(customer_id: int) -> bool:
    """Live uses of a group member that no group line counts yet (the safety net of ``_charge_earlier_uses``)."""
    return CreditUse.objects.filter(customer_id=customer_id, group_line__isnull=True).exclude(
        status="settled").exists()


def _reserve_fast(*, actor, line_id, product, original, currency_in, fx_rate, reference, margin, collateral, key,
                  fp, channel) -> CreditUse:
    try:
        pk = int(line_id)
    except (TypeError, ValueError):
        raise NotFound() from None
    if not 0 < pk < 2**63:  # beyond a 64-bit key: no such line (the ORM's lookups answer the same)
        raise NotFound()
    row = _read_for_reserve(pk, product)
    if row is None or row["kind"] != "customer":  # missing, or a group line: the locked path says which
        raise _NoRoom()
    check_line_scope(actor, _LineRef(row["org_path"]), CreditPerm.USE)
    if not customer_rules.can_transact(row["admission_status"]):
        raise CustomerNotTradable()
    currency = currency_in or row["currency"]
    if currency != row["currency"]:
        rate = _rate(fx_rate)
        amt = rules.convert(original, rate)
    else:
        rate = Decimal(1)
        amt = original
    if amt <= 0:
        raise InvalidInput(_("The amount is zero in the line's currency."), field="amount")
    if row["sub_limits"] and row["sub_id"] is None:
        raise _NoRoom()  # refused for want of a sub-limit: the locked path words it
    group_line_id = row["group_line_id"]
    if group_line_id is not None and _has_uncharged_uses(row["customer_id"]):
        raise _NoRoom()  # earlier uses to charge to the group line first: done under locks
    today = timezone.localdate()
    after = {}
    # Counter rows in the one lock order of every writer: lines by primary key, then the sub-limit.
    for line_pk in sorted([pk] + ([group_line_id] if group_line_id else [])):
        after[line_pk] = _add_reserved_line(line_pk, amt, today)
        if after[line_pk] is None:
            raise _NoRoom()
    if row["sub_id"] is not None and not _add_reserved_sub(row["sub_id"], amt):
        raise _NoRoom()
    use = _insert_use(actor=actor, line_id=pk, group_line_id=group_line_id, customer_id=row["customer_id"],
                      product=product, reference=reference, original=original, currency=currency, rate=rate,
                      amt=amt, margin=margin, collateral=collateral, key=key, fp=fp)
    for line_pk in [pk] + ([group_line_id] if group_line_id else []):
        insert_one(LineMovement(line_id=line_pk, use=use, kind="reserve", product=product, amount=amt,
                                outstanding_after=after[line_pk][0], reserved_after=after[line_pk][1],
                                actor=actor if actor is not None and actor.pk else None))
    # The audit row is scoped by the customer's org unit, read above with the line (no second query).
    _audit_reserved(actor, use, row["currency"], channel, org_path=row["customer_org_path"])
    return use


class _LineRef:
    """What the scope check reads of a line."""

    def __init__(self, org_path: str):
        self.org_path = org_path


def _insert_use(*, actor, line_id, group_line_id, customer_id, product, reference, original, currency, rate, amt,
                margin, collateral, key, fp) -> CreditUse:
    ttl = int(get_param("bankline.reservation_ttl_hours"))
    use = CreditUse(
        line_id=line_id, group_line_id=group_line_id, customer_id=customer_id, product=product, reference=reference,
        original_amount=original, original_currency=currency, fx_rate=rate, amount=amt, reserved_amount=amt,
        margin_amount=margin, low_risk_collateral_amount=collateral,
        reserved_until=timezone.now() + timedelta(hours=ttl),
        created_by=actor if actor is not None and actor.pk else None, idempotency_key=key,
        request_fingerprint=fp if key else "",
    )
    insert_one(use)  # the row CreditUse.objects.create writes, without compiling the INSERT each time
    return use


def _audit_reserved(actor, use: CreditUse, line_currency: str, channel: str, org_path: str | None = None) -> None:
    audit_record(actor=actor, event_code=CreditEvent.USE_RESERVED, object_type="credit_use", object_id=use.pk,
                 customer_id=use.customer_id, channel=channel, org_path=org_path or None,
                 new={"line": use.line_id, "group_line": use.group_line_id, "product": use.product,
                      "amount": str(use.amount), "currency": line_currency,
                      "original_amount": str(use.original_amount), "original_currency": use.original_currency,
                      "reference": use.reference, "idempotency_key": use.idempotency_key})


def _reserve_locked(*, actor, line_id, product, original, currency_in, fx_rate, reference, margin, collateral, key,
                    fp, channel) -> CreditUse:
    """The reservation decided on locked rows: every refusal with its reason, and the group line's safety
    net. Taken when the fast path's conditional UPDATE refused (or could not be used)."""
    line = line_for(actor, line_id, CreditPerm.USE)
    if line.kind != "customer":
        raise InvalidInput(_("Uses are drawn on a customer's line, not on the group line."), field="line_id")
    customer_require_tradable(customer_id=line.customer_id)
    today = timezone.localdate()
    group_line = _group_line_for(line.customer_id, today)
    locked = lock_lines([line.pk] + ([group_line.pk] if group_line else []))
    line = locked[line.pk]
    group_line = locked.get(group_line.pk) if group_line else None
    currency = currency_in or line.currency
    if currency != line.currency:
        rate = _rate(fx_rate)
        amt = rules.convert(original, rate)
    else:
        rate = Decimal(1)
        amt = original
    if amt <= 0:
        raise InvalidInput(_("The amount is zero in the line's currency."), field="amount")
    if line.status != "active":
        raise _refuse("line_not_active", _("The line is %(status)s; no new use is allowed.") % {
            "status": line.get_status_display()}, line=line, product=product, amount=amt)
    if not (line.valid_from <= today <= line.valid_to):
        raise _refuse("line_not_in_force", _("The line is valid from %(start)s to %(end)s.") % {
            "start": line.valid_from, "end": line.valid_to}, line=line, product=product, amount=amt)
    subs = list(SubLimit.objects.select_for_update().filter(line=line).order_by("pk"))
    sub = next((s for s in subs if s.product == product), None)
    if subs and sub is None:
        raise _refuse("no_sub_limit", _("The line has no sub-limit for %(product)s.") % {"product": product},
                      line=line, product=product, amount=amt)
    limit = rules.effective_limit(line.line_amount, line.temp_amount, line.temp_valid_to, today)
    counters = [rules.Counter("line", limit, line.outstanding_amount, line.reserved_amount)]
    if sub is not None:
        counters.append(rules.Counter("sub_limit", sub.limit_amount, sub.outstanding_amount, sub.reserved_amount))
    if group_line is not None:
        if group_line.status != "active" or not (group_line.valid_from <= today <= group_line.valid_to):
            raise _refuse("group_line_not_active", _("The group line is not active."), line=line, product=product,
                          amount=amt)
        if group_line.currency != line.currency:
            raise _refuse("group_currency_mismatch", _("The group line is in another currency."), line=line,
                          product=product, amount=amt)
        _charge_earlier_uses(line, group_line, product=product, amount=amt, actor=actor)
        group_line.refresh_from_db(fields=["outstanding_amount", "reserved_amount"])
        glimit = rules.effective_limit(group_line.line_amount, group_line.temp_amount, group_line.temp_valid_to,
                                       today)
        counters.append(rules.Counter("group_line", glimit, group_line.outstanding_amount,
                                      group_line.reserved_amount))
    refused = rules.refusal(counters, amt)
    if refused is not None:
        code, counter = refused
        raise _refuse(code, _limit_message(counter.kind, counter.limit, counter.outstanding + counter.reserved, amt,
                                           line.currency), line=line, product=product, amount=amt)
    # Conditional UPDATEs: the WHERE clause repeats the check on the row itself.
    _guarded_add(CreditLine, line.pk, amt, temp_in_force=rules.temp_in_force(line.temp_amount, line.temp_valid_to,
                                                                              today))
    if sub is not None:
        _guarded_add(SubLimit, sub.pk, amt)
    if group_line is not None:
        _guarded_add(CreditLine, group_line.pk, amt, temp_in_force=rules.temp_in_force(
            group_line.temp_amount, group_line.temp_valid_to, today))
    use = _insert_use(actor=actor, line_id=line.pk, group_line_id=group_line.pk if group_line else None,
                      customer_id=line.customer_id, product=product, reference=reference, original=original,
                      currency=currency, rate=rate, amt=amt, margin=margin, collateral=collateral, key=key, fp=fp)
    _moved(line, group_line, use, "reserve", amt, actor)
    _audit_reserved(actor, use, line.currency, channel)
    return use


def _charge_earlier_uses(line, group_line, *, product: str, amount: Decimal, actor) -> None:
    """Safety net for uses that no group line counts yet (drawn before kehu charged them at joining or at
    the group line's approval): they are charged before anything new is drawn. If they do not fit, the new
    use is refused (the group is already over its line) and nothing is charged."""
    try:
        charge_uses_to_group_line(group_line, [line.customer_id], actor=actor, reason_code="member_joined",
                                  refusal_code="group_line_exceeded_by_earlier_uses")
    except CreditRefused as refused:
        raise _Refusal(refused, line.pk, product, amount, line.customer_id) from None


def _guarded_add(model, pk: int, amt: Decimal, *, temp_in_force: bool = False) -> None:
    if model is CreditLine:
        room = F("line_amount") + (F("temp_amount") if temp_in_force else Decimal(0)) - F("outstanding_amount") - amt
        updated = CreditLine.objects.filter(pk=pk, status="active", reserved_amount__lte=room).update(
            reserved_amount=F("reserved_amount") + amt, version=F("version") + 1)
    else:
        room = F("limit_amount") - F("outstanding_amount") - amt
        updated = SubLimit.objects.filter(pk=pk, reserved_amount__lte=room).update(
            reserved_amount=F("reserved_amount") + amt)
    if updated != 1:  # cannot happen while the row lock is held; refuse rather than overdraw
        raise Conflict(_("The line changed while the request was checked; try again."), code="guard_conflict")


def _moved(line, group_line, use, kind: str, amt: Decimal, actor) -> None:
    line.refresh_from_db(fields=["outstanding_amount", "reserved_amount"])
    movement(line, kind=kind, amount=amt, use=use, product=use.product, actor=actor)
    if group_line is not None:
        group_line.refresh_from_db(fields=["outstanding_amount", "reserved_amount"])
        movement(group_line, kind=kind, amount=amt, use=use, product=use.product, actor=actor)


def _record_refusal(actor, refusal: _Refusal, channel: str) -> None:
    """Why a request was refused, kept in the line's history (in its own transaction: the refused one
    rolled back)."""
    with transaction.atomic():
        # Lock the line first: PostgreSQL checks Django's deferred foreign keys at commit, after the audit
        # chain head is locked, so an unlocked reference to the line would wait for it in the wrong order.
        line = lock_lines([refusal.line_id]).get(refusal.line_id)
        if line is None:
            return
        LineMovement.objects.create(
            line=line, kind="refused", product=refusal.product, amount=refusal.amount,
            outstanding_after=line.outstanding_amount, reserved_after=line.reserved_amount,
            reason_code=refusal.error.code, reason=str(refusal.error.message)[:500],
            actor=actor if actor is not None and actor.pk else None,
        )
        audit_record(actor=actor, event_code=CreditEvent.USE_REFUSED, object_type="credit_line", object_id=line.pk,
                     customer_id=refusal.customer_id, channel=channel,
                     new={"product": refusal.product, "amount": str(refusal.amount), "reason": refusal.error.code})


# ------------------------------------------------------------------ post, release, repay


def _use_op(operation: str, *, actor, use_id, amount, idempotency_key, channel, apply) -> CreditUse:
    key = idem_key(idempotency_key)
    amt = None if amount in (None, "") else positive_amount(amount, "amount")
    fp = fingerprint(operation, use=use_id, amount=amt, actor=getattr(actor, "pk", None))
    try:
        with transaction.atomic():
            stored = replay(key, operation, fp)
            if stored is not None:
                return CreditUse.objects.get(pk=stored["use_id"])
            try:
                use = CreditUse.objects.select_related("line").get(pk=int(use_id))
            except (CreditUse.DoesNotExist, TypeError, ValueError):
                raise NotFound() from None
            line_for(actor, use.line_id, CreditPerm.USE)
            if operation == "post":  # a drawdown creates exposure: the admission guard applies
                customer_require_tradable(customer_id=use.customer_id)
            locked = lock_lines([use.line_id] + ([use.group_line_id] if use.group_line_id else []))
            stored = replay(key, operation, fp)
            if stored is not None:
                return CreditUse.objects.get(pk=stored["use_id"])
            use = CreditUse.objects.select_for_update().get(pk=use.pk)
            if use.line_id not in locked or (use.group_line_id and use.group_line_id not in locked):
                # the use moved to a renewal between the first read and the locks
                raise Conflict(_("The line changed while the request was checked; try again."),
                               code="guard_conflict")
            line = locked[use.line_id]
            group_line = locked.get(use.group_line_id) if use.group_line_id else None
            sub = SubLimit.objects.select_for_update().filter(line=line, product=use.product).first()
            done = apply(use, line, group_line, sub, amt)
            _after_change(line, group_line)
            _moved(line, group_line, use, operation, done, actor)
            remember(key, operation, fp, {"use_id": use.pk}, actor)
            audit_record(actor=actor, event_code={"post": CreditEvent.USE_POSTED, "release": CreditEvent.USE_RELEASED,
                                                  "repay": CreditEvent.USE_REPAID}[operation],
                         object_type="credit_use", object_id=use.pk, customer_id=use.customer_id, channel=channel,
                         new={"amount": str(done), "reserved": str(use.reserved_amount),
                              "outstanding": str(use.outstanding_amount), "idempotency_key": key})
            return use
    except IntegrityError:
        if key:
            stored = replay(key, operation, fp)
            if stored is not None:
                return CreditUse.objects.get(pk=stored["use_id"])
        raise


def _shift(model, pk, *, reserved: Decimal = ZERO, outstanding: Decimal = ZERO, exposure: Decimal | None = None):
    values = {"reserved_amount": F("reserved_amount") + reserved, "outstanding_amount": F("outstanding_amount")
              + outstanding}
    if exposure is not None:
        values["exposure_amount"] = F("exposure_amount") + exposure
    model.objects.filter(pk=pk).update(**values)


def _apply(use: CreditUse, line, group_line, sub, *, reserved: Decimal, outstanding: Decimal) -> None:
    """Move a use's counters and the same deltas on its line, sub-limit and group line."""
    use.reserved_amount += reserved
    use.outstanding_amount += outstanding
    new_exposure = rules.net_exposure(use.outstanding_amount, use.margin_amount, use.low_risk_collateral_amount)
    exposure_delta = new_exposure - use.exposure_amount
    use.exposure_amount = new_exposure
    if use.reserved_amount == 0 and use.outstanding_amount == 0:
        use.status = "settled"
    elif use.outstanding_amount > 0:
        use.status = "posted"
    use.save(update_fields=["reserved_amount", "outstanding_amount", "exposure_amount", "status"])
    _shift(CreditLine, line.pk, reserved=reserved, outstanding=outstanding, exposure=exposure_delta)
    if sub is not None:
        _shift(SubLimit, sub.pk, reserved=reserved, outstanding=outstanding)
    if group_line is not None:
        _shift(CreditLine, group_line.pk, reserved=reserved, outstanding=outstanding, exposure=exposure_delta)


def _after_change(line, group_line) -> None:
    """A lapsed temporary line shrinks to what is still in use (never below, never above)."""
    today = timezone.localdate()
    for row in (line, group_line):
        if row is None:
            continue
        row.refresh_from_db()
        if row.temp_amount > 0 and not rules.temp_in_force(row.temp_amount, row.temp_valid_to, today):
            new_temp = rules.temp_after_expiry(row.line_amount, row.temp_amount, row.used_amount)
            if new_temp != row.temp_amount:
                CreditLine.objects.filter(pk=row.pk).update(temp_amount=new_temp)
                row.temp_amount = new_temp


def _whole_or(amt: Decimal | None, available: Decimal, what: str) -> Decimal:
    if amt is None:
        amt = available
    if amt <= 0 or amt > available:
        raise InvalidInput(_("The amount must be greater than zero and at most the %(what)s %(available)s.") % {
            "what": what, "available": available}, field="amount", code="amount_too_large")
    return amt


def use_post(*, actor: User | None, use_id: int, amount: Any = None, idempotency_key: str = "",
             channel: str = "") -> CreditUse:
    """Post (draw or issue) a reservation, wholly or in part; the rest stays reserved."""

    def apply(use, line, group_line, sub, amt):
        if line.status != "active":
            raise InvalidTransition(_("The line is %(status)s; release the reservation instead.") % {
                "status": line.get_status_display()})
        amt = _whole_or(amt, use.reserved_amount, _("reserved amount"))
        _apply(use, line, group_line, sub, reserved=-amt, outstanding=amt)
        return amt

    return _use_op("post", actor=actor, use_id=use_id, amount=amount, idempotency_key=idempotency_key,
                   channel=channel, apply=apply)


def use_release(*, actor: User | None, use_id: int, amount: Any = None, idempotency_key: str = "",
                channel: str = "") -> CreditUse:
    """Release a reservation, wholly or in part."""

    def apply(use, line, group_line, sub, amt):
        amt = _whole_or(amt, use.reserved_amount, _("reserved amount"))
        _apply(use, line, group_line, sub, reserved=-amt, outstanding=ZERO)
        return amt

    return _use_op("release", actor=actor, use_id=use_id, amount=amount, idempotency_key=idempotency_key,
                   channel=channel, apply=apply)


def use_repay(*, actor: User | None, use_id: int, amount: Any = None, idempotency_key: str = "",
              channel: str = "") -> CreditUse:
    """Repay (or, for an off-balance-sheet use, run off) outstanding, wholly or in part."""

    def apply(use, line, group_line, sub, amt):
        amt = _whole_or(amt, use.outstanding_amount, _("outstanding amount"))
        _apply(use, line, group_line, sub, reserved=ZERO, outstanding=-amt)
        return amt

    return _use_op("repay", actor=actor, use_id=use_id, amount=amount, idempotency_key=idempotency_key,
                   channel=channel, apply=apply)


def use_expire_due(*, actor: User | None = None, now=None, limit: int = 1000) -> int:
    """Release every reservation past its ``reserved_until`` (the expiry job). Returns how many expired."""
    now = now or timezone.now()
    ids = list(CreditUse.objects.filter(reserved_amount__gt=0, reserved_until__lt=now).order_by("pk")
               .values_list("pk", flat=True)[:limit])
    count = 0
    for use_id in ids:
        with transaction.atomic():
            use = CreditUse.objects.filter(pk=use_id).first()
            if use is None:
                continue
            locked = lock_lines([use.line_id] + ([use.group_line_id] if use.group_line_id else []))
            use = CreditUse.objects.select_for_update().get(pk=use_id)
            if use.reserved_amount <= 0 or use.reserved_until >= now or use.line_id not in locked or (
                    use.group_line_id and use.group_line_id not in locked):
                continue
            line = locked[use.line_id]
            group_line = locked.get(use.group_line_id) if use.group_line_id else None
            sub = SubLimit.objects.select_for_update().filter(line=line, product=use.product).first()
            amt = use.reserved_amount
            _apply(use, line, group_line, sub, reserved=-amt, outstanding=ZERO)
            _after_change(line, group_line)
            _moved(line, group_line, use, "expire", amt, actor)
            audit_record(actor=actor, event_code=CreditEvent.USE_EXPIRED, object_type="credit_use", object_id=use.pk,
                         customer_id=use.customer_id, new={"amount": str(amt)})
            count += 1
    return count


@transaction.atomic
def use_set_collateral(*, actor: User | None, use_id: int, margin_amount: Any, low_risk_collateral_amount: Any,
                       channel: str = "") -> CreditUse:
    """Record the margin deposit and eligible low-risk collateral (after haircut) of a use (B-9)."""
    margin = parse_amount(margin_amount, "margin_amount", required=True)
    collateral = parse_amount(low_risk_collateral_amount, "low_risk_collateral_amount", required=True)
    use = CreditUse.objects.filter(pk=use_id).first() if str(use_id).isdigit() else None
    if use is None:
        raise NotFound()
    line_for(actor, use.line_id, CreditPerm.USE)
    locked = lock_lines([use.line_id] + ([use.group_line_id] if use.group_line_id else []))
    use = CreditUse.objects.select_for_update().get(pk=use.pk)
    if use.line_id not in locked or (use.group_line_id and use.group_line_id not in locked):
        raise Conflict(_("The line changed while the request was checked; try again."), code="guard_conflict")
    old = {"margin": str(use.margin_amount), "collateral": str(use.low_risk_collateral_amount)}
    use.margin_amount, use.low_risk_collateral_amount = margin, collateral
    _apply(use, locked[use.line_id], locked.get(use.group_line_id), None, reserved=ZERO, outstanding=ZERO)
    audit_record(actor=actor, event_code=CreditEvent.USE_COLLATERAL_SET, object_type="credit_use", object_id=use.pk,
                 customer_id=use.customer_id, channel=channel, old=old,
                 new={"margin": str(margin), "collateral": str(collateral)})
    return use


@transaction.atomic
def use_classify(*, actor: User | None, use_id: int, classification: str, channel: str = "") -> CreditUse:
    """Set the five-category loan classification (五级分类) of a use."""
    classification = choice(classification, "classification", rules.CLASSIFICATIONS)
    use = CreditUse.objects.filter(pk=use_id).first() if str(use_id).isdigit() else None
    if use is None:
        raise NotFound()
    line_for(actor, use.line_id, CreditPerm.CLASSIFY)
    use = CreditUse.objects.select_for_update().get(pk=use.pk)
    old = use.classification
    use.classification = classification
    use.save(update_fields=["classification"])
    audit_record(actor=actor, event_code=CreditEvent.USE_CLASSIFIED, object_type="credit_use", object_id=use.pk,
                 customer_id=use.customer_id, channel=channel, old={"classification": old},
                 new={"classification": classification})
    return use


