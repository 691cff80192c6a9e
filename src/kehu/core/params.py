"""The rule-parameter registry: every number from the domain spec is a parameter, not a constant.

``REGISTRY`` holds each parameter's default with its provenance; an approved ``RuleParameter`` row
effective on the given date overrides it (maker-checker: see ``services.parameter_propose``).
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import connection
from django.db.models.signals import post_delete, post_save
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.utils import timezone
from django.utils.translation import gettext, pgettext

from kehu.core.models import RuleParameter


@dataclass(frozen=True)
class ParamSpec:
    code: str
    default: Any
    unit: str
    provenance: str
    source_ref: str
    description: str
    kind: type | tuple[type, ...]


REGISTRY: dict[str, ParamSpec] = {
    spec.code: spec
    for spec in [
        ParamSpec(
            "sec.lockout_failures", 5, "attempts", "proposed", "domain spec I-10",
            "Failed logins after which the account is locked.", int,
        ),
        ParamSpec(
            "sec.lockout_minutes", 30, "minutes", "proposed", "domain spec I-10",
            "How long a locked account stays locked.", int,
        ),
        ParamSpec(
            "sec.password_max_age_days", 90, "days", "pub_confirmed", "银发[2005]211号 Art.99",
            "Staff passwords must be changed at least this often.", int,
        ),
        ParamSpec(
            "sec.password_history", 5, "passwords", "proposed", "domain spec I-10",
            "A new password may not be any of this many most recent ones.", int,
        ),
        ParamSpec(
            "sec.admin_password_min_length", 12, "characters", "proposed", "domain spec I-10",
            "Minimum password length of administrators (system administrators and staff of the admin).", int,
        ),
        ParamSpec(
            "sec.throttle_free_failures", 4, "attempts", "proposed", "issue 11 (login throttle)",
            "Failed logins of one username before each further failure makes it wait (doubling) until the "
            "lock (sec.lockout_failures); with the defaults the fifth failure locks at once.", int,
        ),
        ParamSpec(
            "sec.ip_free_failures", 10, "attempts", "proposed", "issue 11 (login throttle)",
            "Failed logins from one address before each further failure makes it wait (doubling).", int,
        ),
        ParamSpec(
            "sec.throttle_base_seconds", 1, "seconds", "proposed", "issue 11 (login throttle)",
            "The first wait after the free failures; every further failure doubles it.", int,
        ),
        ParamSpec(
            "sec.ip_max_delay_seconds", 900, "seconds", "proposed", "issue 11 (login throttle)",
            "The longest wait imposed on one address.", int,
        ),
        ParamSpec(
            "sec.throttle_window_minutes", 15, "minutes", "proposed", "issue 11 (login throttle)",
            "Failures older than this (with no later failure) are forgotten.", int,
        ),
        ParamSpec(
            "sec.token_default_days", 90, "days", "proposed", "issue 11 (API tokens)",
            "Lifetime of an API token created without an explicit lifetime.", int,
        ),
        ParamSpec(
            "sec.mfa_unmask_threshold", 20, "unmaskings per day", "proposed", "domain spec I-10 (MFA for PII)",
            "A user who has unmasked this many times today needs the second factor for more.", int,
        ),
        ParamSpec(
            "sec.mfa_export_threshold", 1000, "rows", "proposed", "domain spec I-10, 10.5",
            "Exports of more personal-data rows than this need the second factor.", int,
        ),
        ParamSpec(
            "privacy.unmask_reason_min_length", 4, "characters", "proposed", "domain spec 10.4",
            "Minimum length of the reason given to unmask personal data.", int,
        ),
    ]
}


def register_params(specs: list[ParamSpec]) -> None:
    """Add an app's parameters (called from its AppConfig.ready()); a code may be registered once."""
    for spec in specs:
        existing = REGISTRY.get(spec.code)
        if existing is not None and existing != spec:
            raise RuntimeError(f"parameter {spec.code} registered twice with different specs")
        REGISTRY[spec.code] = spec


def param_description(code: str) -> str:
    """What the parameter means, in the reader's language. The descriptions stay English in the specs (they are
    also the developers' documentation); each app's catalogue translates its own (``locale/zh_Hans``)."""
    spec = REGISTRY.get(code)
    return gettext(spec.description) if spec is not None and spec.description else ""


def param_unit(code: str) -> str:
    """The parameter's unit in the reader's language, translated in core's catalogue under the context
    "parameter unit": core's catalogue comes first, and a bare "rows" or "working hours" there would replace the
    apps' own words for their columns and models."""
    spec = REGISTRY.get(code)
    # pgettext of "" would answer the catalogue's header
    return pgettext("parameter unit", spec.unit) if spec is not None and spec.unit else ""


# ------------------------------------------------------------------ the per-process cache
#
# Every approved row is read once per process and kept until the table changes. Whether it changed is
# asked of the database through a *generation*: the count, the sum of the ids and the latest approval time
# of the approved rows (and the sum of the squares of the ids). Approving a row (``parameter_approve``), inserting an approved row, deleting one or
# rolling one back all change it; the values of a decided row are never edited (the admin refuses it), so
# an unchanged generation means unchanged values. The generation is one aggregate over a small table.
#
# When it is asked: inside a *scope* (one per HTTP request, opened by ``ParamCacheMiddleware``; a job may
# open its own with ``param_scope()``) at the first ``get_param`` of the scope and never again in it, so a
# request sees one consistent set of values and a parameter approved by another process is seen from that
# process's next request on. Outside any scope every ``get_param`` asks (one cheap query, as before the
# cache). A ``RuleParameter`` saved or deleted in this process drops the cache at once.

_lock = threading.Lock()
_cache: dict[str, Any] = {"generation": None, "rows": {}}
_scope: ContextVar[dict[str, Any] | None] = ContextVar("kehu_param_scope", default=None)


def generation_query() -> tuple[str, list[Any]]:
    """The statement that reads the generation's five values, for a caller that reads them within a statement
    of its own (the API token's, ``core.selectors.token_holder``) and hands them to ``param_scope_prime``."""
    table = RuleParameter._meta.db_table
    return (f"SELECT COUNT(*) AS g0, COALESCE(SUM(id), 0) AS g1, COALESCE(SUM(id * id), 0) AS g2, "  # noqa: S608
            f"MAX(approved_at) AS g3, MAX(effective_to) AS g4 FROM {table} WHERE status = %s",
            [RuleParameter.Status.APPROVED])


def _generation_of(values: Any) -> tuple[Any, ...]:
    return (connection.alias, connection.settings_dict.get("NAME"), *(str(v) for v in values))


def _generation() -> tuple[Any, ...]:
    sql, params = generation_query()
    with connection.cursor() as cur:
        cur.execute(sql, params)
        row = cur.fetchone()
    return _generation_of(row)


def _load(generation: tuple[Any, ...]) -> dict[str, list[tuple[Any, ...]]]:
    rows: dict[str, list[tuple[Any, ...]]] = {}
    for code, value, start, end in (
        RuleParameter.objects.filter(status=RuleParameter.Status.APPROVED)
        .order_by("code", "-effective_from", "-approved_at")
        .values_list("code", "value", "effective_from", "effective_to")
    ):
        rows.setdefault(code, []).append((start, end, value))
    with _lock:
        _cache["generation"], _cache["rows"] = generation, rows
    return rows


def _rows(generation: tuple[Any, ...] | None = None) -> dict[str, list[tuple[Any, ...]]]:
    scope = _scope.get()
    if scope is not None and scope.get("rows") is not None:
        cached: dict[str, list[tuple[Any, ...]]] = scope["rows"]
        return cached
    if generation is None:
        generation = _generation()
    with _lock:
        rows = _cache["rows"] if _cache["generation"] == generation else None
    if rows is None:
        rows = _load(generation)
    if scope is not None:
        scope["rows"] = rows
    return rows


def param_cache_clear(**_kwargs: Any) -> None:
    """Forget every cached value (connected to RuleParameter's post_save and post_delete)."""
    with _lock:
        _cache["generation"], _cache["rows"] = None, {}
    scope = _scope.get()
    if scope is not None:
        scope["rows"] = None


def param_scope_prime(values: Any) -> None:
    """Take the generation's values (``generation_query``'s row) read just now in another statement as this
    scope's one look at the table: the request's parameters are then read with no statement of their own
    (issue 17). Outside a scope, or once the scope has looked, nothing happens."""
    scope = _scope.get()
    if scope is None or scope.get("rows") is not None:
        return
    _rows(_generation_of(values))


@contextmanager
def param_scope() -> Iterator[None]:
    """Within the block the database is asked for the generation at most once (one request, one job run)."""
    if _scope.get() is not None:  # nested: the outer scope decides
        yield
        return
    token = _scope.set({"rows": None})
    try:
        yield
    finally:
        _scope.reset(token)


class ParamCacheMiddleware:
    """One parameter scope per request (see above): at most one generation query, and only if the request
    reads a parameter."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        with param_scope():
            return self.get_response(request)


def get_param(code: str, *, on: date | None = None) -> Any:
    """Return the value in force for ``code`` on ``on`` (default: today in Asia/Shanghai)."""
    spec = REGISTRY[code]
    on = on or timezone.localdate()
    for start, end, value in _rows().get(code, ()):
        if start <= on and (end is None or end >= on):
            return copy.deepcopy(value) if isinstance(value, (list, dict)) else value
    return spec.default


post_save.connect(param_cache_clear, sender=RuleParameter, dispatch_uid="kehu_param_cache_save")
post_delete.connect(param_cache_clear, sender=RuleParameter, dispatch_uid="kehu_param_cache_delete")
