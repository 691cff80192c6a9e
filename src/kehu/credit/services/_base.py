"""Shared plumbing of the credit services: scope checks, idempotency keys, movements."""

from __future__ import annotations

import hashlib
import json
from decimal import Decimal
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext as _

from kehu.core.access import require
from kehu.core.errors import InvalidInput, NotFound
from kehu.core.models import User
from kehu.core.selectors import access_for
from kehu.credit.errors import IdempotencyMismatch
from kehu.credit.models import CreditLine, IdempotencyRecord, LineMovement
from kehu.credit.permissions import CreditPerm


def check_line_scope(actor: User | None, line: CreditLine, perm: str) -> None:
    """404 when the line is outside every grant of the user, 403 when only the permission is missing."""
    require(actor, perm, view=CreditPerm.VIEW, org_path=line.org_path)


def line_for(actor: User | None, line_id: Any, perm: str) -> CreditLine:
    try:
        pk = int(line_id)
    except (TypeError, ValueError):
        raise NotFound() from None
    line = CreditLine.objects.filter(pk=pk).first()
    if line is None:
        raise NotFound()
    check_line_scope(actor, line, perm)
    return line


def lock_lines(pks: list[int]) -> dict[int, CreditLine]:
    """Lock the line rows in primary-key order (the one lock order every writer follows)."""
    rows = CreditLine.objects.select_for_update().filter(pk__in=sorted(set(pks))).order_by("pk")
    return {row.pk: row for row in rows}


def fingerprint(operation: str, **values: Any) -> str:
    data = json.dumps({"op": operation, **{k: str(v) for k, v in values.items()}}, sort_keys=True)
    return hashlib.sha256(data.encode()).hexdigest()


def idem_key(value: Any) -> str:
    if value in (None, ""):
        return ""
    if not isinstance(value, str) or len(value) > 100 or not value.strip():
        raise InvalidInput(_("The idempotency key must be text of at most 100 characters."), field="idempotency_key")
    return value.strip()


def replay(key: str, operation: str, fp: str) -> dict | None:
    """The stored result of an earlier request with this key, or None. A key reused for a different
    request is refused rather than silently answered with someone else's result."""
    if not key:
        return None
    record = IdempotencyRecord.objects.filter(key=key).first()
    if record is None:
        return None
    if record.operation != operation or record.fingerprint != fp:
        raise IdempotencyMismatch()
    return record.result


def remember(key: str, operation: str, fp: str, result: dict, actor: User | None) -> None:
    if key:
        IdempotencyRecord.objects.create(key=key, operation=operation, fingerprint=fp, result=result,
                                         actor=actor if actor is not None and actor.pk else None)


def movement(line: CreditLine, *, kind: str, amount: Decimal, use=None, product: str = "", actor: User | None = None,
             reason_code: str = "", reason: str = "") -> LineMovement:
    return LineMovement.objects.create(
        line=line, use=use, kind=kind, product=product, amount=amount, outstanding_after=line.outstanding_amount,
        reserved_after=line.reserved_amount, reason_code=reason_code, reason=reason[:500],
        actor=actor if actor is not None and actor.pk else None,
    )


def scope_q(actor: User, perm: str, field: str = "org_path") -> Q:
    return access_for(actor).scope_q(perm, org_path_field=field)
