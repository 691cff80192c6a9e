"""Helpers for the service-level tests of customers and core: audit-row lookups, status history, extra users,
and the `english` fixture.

`english` is not autouse: a module that asserts English messages says so with
`pytestmark = pytest.mark.usefixtures("english")`; tests/customers/conftest.py and tests/core/conftest.py
import the fixture. The other tests in those directories keep the default language (Chinese)."""

from __future__ import annotations

import pytest
from django.utils import translation

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


@pytest.fixture
def english():
    # Messages are asserted in English whatever translations exist.
    with translation.override("en"):
        yield
