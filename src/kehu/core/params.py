"""The rule-parameter registry: every number from the domain spec is a parameter, not a constant.

``REGISTRY`` holds each parameter's default with its provenance; an approved ``RuleParameter`` row
effective on the given date overrides it (maker-checker: see ``services.parameter_propose``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Q
from django.utils import timezone

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


def get_param(code: str, *, on: date | None = None) -> Any:
    """Return the value in force for ``code`` on ``on`` (default: today in Asia/Shanghai)."""
    spec = REGISTRY[code]
    on = on or timezone.localdate()
    row = (
        RuleParameter.objects.filter(code=code, status=RuleParameter.Status.APPROVED, effective_from__lte=on)
        .filter(Q(effective_to__isnull=True) | Q(effective_to__gte=on))
        .order_by("-effective_from", "-approved_at")
        .first()
    )
    return row.value if row is not None else spec.default
