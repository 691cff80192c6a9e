"""Reads of the privacy app, scoped to the caller."""

from __future__ import annotations

from django.db.models import QuerySet

from kehu.core.access import require
from kehu.core.errors import NotFound, PermissionDenied
from kehu.core.models import User
from kehu.core.selectors import access_for
from kehu.customers.selectors import customer_get

from . import permissions
from .models import (
    ChangeNotice,
    Consent,
    DataSubjectRequest,
    LegalHold,
    PrivacyNotice,
    ProcessingPurpose,
    RequestState,
)


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


# ------------------------------------------------------------------------------------ for the REST API

def requests_visible(user: User, *, state: str = "open") -> QuerySet[DataSubjectRequest]:
    """Requests of customers the caller reaches with the privacy view permission: ``open`` (received or
    verified, soonest due first), ``closed`` (done or refused, newest first) or ``all``."""
    access = access_for(user)
    if not access.has(permissions.VIEW):
        raise PermissionDenied()
    scope = access.scope_q(permissions.VIEW, org_path_field="customer__org_path", owner_field="customer__manager_id")
    queryset = DataSubjectRequest.objects.filter(scope).select_related("customer")
    open_states = [RequestState.RECEIVED, RequestState.VERIFIED]
    if state == "open":
        return queryset.filter(state__in=open_states).order_by("due_at", "id")
    if state == "closed":
        return queryset.exclude(state__in=open_states).order_by("-closed_at", "-id")
    return queryset.order_by("-received_at", "-id")


def request_get(*, user: User, request_id: int, perm: str = permissions.VIEW) -> DataSubjectRequest:
    """One request if the caller reaches its customer with ``perm``: 404 outside every privacy grant, 403 when
    the caller reaches it only with the view permission (kehu.core.access.require)."""
    request = DataSubjectRequest.objects.select_related("customer").filter(pk=request_id).first()
    customer = request.customer if request else None
    if request is None or customer is None:
        raise NotFound()
    require(user, perm, view=permissions.VIEW, org_path=customer.org_path, owner_id=customer.manager_id)
    return request


def consents_of_customer(*, user: User, customer_id: int) -> QuerySet[Consent]:
    """A customer's consents per purpose, live and withdrawn, newest first. Who records consents (receive) or
    reads the privacy pages (view) and reaches the customer may read them; 404 outside scope."""
    perm = permissions.RECEIVE if access_for(user).has(permissions.RECEIVE) else permissions.VIEW
    customer = customer_get(user=user, customer_id=customer_id, perm=perm)
    return (Consent.objects.filter(customer=customer).select_related("purpose", "notice", "recorded_by")
            .order_by("-given_at", "-id"))


def notices() -> QuerySet[PrivacyNotice]:
    return PrivacyNotice.objects.order_by("-effective_from", "-id")


def purpose_register() -> QuerySet[ProcessingPurpose]:
    """The register of processing purposes (PI-1) with the personal fields tied to each."""
    return ProcessingPurpose.objects.prefetch_related("fields").order_by("code")


def may_read_register(user: User) -> bool:
    access = access_for(user)
    return access.has(permissions.RECEIVE) or access.has(permissions.VIEW)
