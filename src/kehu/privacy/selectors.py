"""Reads of the privacy app, scoped to the caller."""

from __future__ import annotations

from django.db.models import QuerySet

from kehu.core.errors import PermissionDenied
from kehu.core.models import User
from kehu.core.selectors import access_for

from . import permissions
from .models import ChangeNotice, DataSubjectRequest, LegalHold, RequestState


def requests_open(user: User) -> QuerySet[DataSubjectRequest]:
    """The privacy officer's inbox: open requests of customers in scope, soonest due first."""
    access = access_for(user)
    if not access.has(permissions.VIEW):
        raise PermissionDenied()
    scope = access.scope_q(permissions.VIEW, org_path_field="customer__org_path", owner_field="customer__manager_id")
    return (DataSubjectRequest.objects.filter(scope, state__in=[RequestState.RECEIVED, RequestState.VERIFIED])
            .select_related("customer").order_by("due_at", "id"))


def holds_active(user: User) -> QuerySet[LegalHold]:
    access = access_for(user)
    scope = access.scope_q(permissions.VIEW, org_path_field="customer__org_path", owner_field="customer__manager_id")
    return LegalHold.objects.filter(scope, released_at__isnull=True).select_related("customer")


def changes_to_resolve(user: User) -> QuerySet[ChangeNotice]:
    """Refused changes left for a person (refusal flagged, or no address to tell the customer)."""
    access = access_for(user)
    scope = access.scope_q(permissions.VIEW, org_path_field="customer__org_path", owner_field="customer__manager_id")
    return (ChangeNotice.objects.filter(scope, outcome__in=[ChangeNotice.Outcome.FLAGGED,
                                                            ChangeNotice.Outcome.UNREACHABLE])
            .select_related("customer", "consent").order_by("-created_at"))
