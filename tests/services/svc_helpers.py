"""Helpers for the service-level tests: audit-row lookups, status history, extra users."""

from __future__ import annotations

from kehu.core import services as core_services
from kehu.core.models import AuditEvent, User
from kehu.customers.models import AdmissionStatusChange

PASSWORD = "Kehu-test-2026"


def audit_rows(event_code: int, **filters) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(event_code=event_code, **filters).order_by("id"))


def last_audit(event_code: int, **filters) -> AuditEvent:
    rows = audit_rows(event_code, **filters)
    assert rows, f"no audit row with event code {event_code} and {filters}"
    return rows[-1]


def history(application) -> list[tuple[str, str]]:
    return [
        (h.from_status, h.to_status) for h in AdmissionStatusChange.objects.filter(application=application)
    ]


def make_user(username: str, org: str, roles: list[str], **kw) -> User:
    return core_services.user_create(
        username=username, org_code=org, roles=roles, password=PASSWORD, actor=None, **kw
    )
