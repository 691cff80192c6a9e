"""Reads of the customer archive, always through the caller's data scope.

Outside their scope a user gets NotFound (404), not PermissionDenied, so scope does not leak what
exists; a user in scope but without the permission for an action gets PermissionDenied (403).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import CharField, Exists, F, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Concat
from django.utils import timezone

from kehu.core import reads
from kehu.core.access import require
from kehu.core.errors import NotFound
from kehu.core.models import User
from kehu.core.params import get_param
from kehu.core.rules import mask
from kehu.core.selectors import Access, access_for
from kehu.customers import rules, search
from kehu.customers.models import (
    AdmissionApplication,
    AdmissionReview,
    ApplicationStatus,
    ConsentRecord,
    Customer,
    CustomerGroup,
    CustomerKind,
    Licence,
    ReviewStage,
)
from kehu.customers.permissions import RETURN_PERMISSION, CustomerPerm


def customers_visible_to(user: User | None, perm: str = CustomerPerm.CUSTOMER_VIEW) -> QuerySet[Customer]:
    if user is None:
        return Customer.objects.all()
    access = access_for(user)
    return Customer.objects.filter(access.scope_q(perm, org_path_field="org_path", owner_field="manager_id"),
                                   pi_restricted=False)


# The API's lookup by id, compiled once per connection (core.reads: the ORM's compiler was half of the request).
_VISIBLE_BY_ID: reads.Prepared[Customer] = reads.Prepared(
    lambda pk: Customer.objects.select_related("org_unit", "manager").filter(pk=pk, pi_restricted=False), arity=1)


def customer_get(
    *, user: User | None, customer_id: int, perm: str = CustomerPerm.CUSTOMER_VIEW, lock: bool = False
) -> Customer:
    """Return the customer if ``user`` may do ``perm`` on it; 404 outside scope, 403 without the role."""
    queryset = Customer.objects.select_related("org_unit", "manager")
    if lock:
        queryset = queryset.select_for_update(of=("self",)) if _pg() else queryset.select_for_update()
    if user is None:
        found = queryset.filter(pk=customer_id).first()
        if found is None:
            raise NotFound()
        return found
    # A record restricted under PIPL (a legal hold instead of deletion) does not exist for anyone.
    if lock or type(customer_id) is not int:
        customer = queryset.filter(pk=customer_id, pi_restricted=False).first()
    else:
        customer = _VISIBLE_BY_ID.first(customer_id)
    require(user, perm, view=CustomerPerm.CUSTOMER_VIEW, org_path=customer.org_path if customer else None,
            owner_id=customer.manager_id if customer else None)
    return customer


def _pg() -> bool:
    return connection.vendor == "postgresql"


def customer_search(
    *,
    user: User | None,
    q: str = "",
    kind: str = "",
    status: str = "",
    org_code: str = "",
    manager_id: int | None = None,
    region: str = "",
    industry: str = "",
    grade: str = "",
) -> QuerySet[Customer]:
    """Filter the customers ``user`` may see. ``q`` matches name substring, pinyin, initials,
    a credit-code prefix or an exact resident ID number."""
    # The text filter is built per database so that an index answers it (kehu.customers.search).
    return _search(user=user, text=search.text_filter(q), kind=kind, status=status, org_code=org_code,
                   manager_id=manager_id, region=region, industry=industry, grade=grade)


def customer_search_page(
    *,
    user: User | None,
    q: str = "",
    before: int | None = None,
    limit: int,
    scope: Q | None = None,
    **filters: Any,
) -> tuple[list[Customer], bool]:
    """Return one keyset page of ``customer_search`` (ids below ``before``, newest first, at most
    ``limit``) and whether more follow; ``scope`` narrows further (a picker's own permission).

    The rows are those of ``customer_search(...).filter(pk__lt=before)[:limit]``; a text that an FTS5
    table answers is read from it in windows newest first instead of all at once (search.page).
    """
    text = search.text_search(q)

    def fetch(text_q: Q | None, below: int | None, n: int) -> list[Customer]:
        queryset = _search(user=user, text=text_q, **filters)
        if below is not None:
            queryset = queryset.filter(pk__lt=below)
        if scope is not None:
            queryset = queryset.filter(scope)
        return list(queryset[:n])

    rows = search.page(text, before=before, size=limit + 1, fetch=fetch)
    return rows[:limit], len(rows) > limit


def _search(
    *,
    user: User | None,
    text: Q | None,
    kind: str = "",
    status: str = "",
    org_code: str = "",
    manager_id: int | None = None,
    region: str = "",
    industry: str = "",
    grade: str = "",
) -> QuerySet[Customer]:
    if text is not None and user is not None and _pg():
        # Scope as a filter on ``org_path || ''``: the planner cannot turn the org_path index into the
        # access path of a text search (a branch is a third of the table), so the trigram index finds
        # the candidates and scope narrows them (tests/bulk/test_search_plans.py, docs/search.md).
        scope_path = Concat(F("org_path"), Value(""), output_field=CharField())
        queryset = Customer.objects.alias(scope_path=scope_path).filter(access_for(user).scope_q(
            CustomerPerm.CUSTOMER_VIEW, org_path_field="scope_path", owner_field="manager_id"), pi_restricted=False)
    else:
        queryset = customers_visible_to(user)
    queryset = queryset.select_related("org_unit", "manager")
    if text is not None:
        queryset = queryset.filter(text)
    if kind:
        queryset = queryset.filter(kind=kind)
    if status:
        queryset = queryset.filter(admission_status=status)
    if org_code:
        queryset = queryset.filter(org_path__contains=f"/{org_code}/")
    if manager_id:
        queryset = queryset.filter(manager_id=manager_id)
    if region:
        queryset = queryset.filter(region=region)
    if industry:
        queryset = queryset.filter(industry=industry)
    if grade:
        queryset = queryset.filter(grade=grade)
    return queryset.order_by("-id")


# ------------------------------------------------------------------ presentation with masking

PERSONAL_FIELDS_BY_KIND = {
    CustomerKind.INDIVIDUAL: ("name", "id_number", "phone", "email", "address"),
    CustomerKind.SCATTERED: ("name", "id_number", "phone", "email", "address"),
    CustomerKind.ENTERPRISE: ("id_number", "phone", "email"),
    CustomerKind.FINANCIAL_INSTITUTION: ("id_number", "phone", "email"),
}

MASK_KIND = {"name": "name", "id_number": "id_number", "phone": "phone", "email": "email", "address": "address"}


def personal_fields(customer: Customer) -> tuple[str, ...]:
    return PERSONAL_FIELDS_BY_KIND.get(customer.kind, ())


def customer_field_value(customer: Customer, field: str) -> str:
    if field == "name":
        return customer.true_name
    return getattr(customer, field) or ""


def masked(customer: Customer, field: str) -> str:
    value = customer_field_value(customer, field)
    if field in personal_fields(customer):
        return mask(MASK_KIND[field], value)
    return value


def org_paths_of(using: str, customer_ids: set[int]) -> dict[int, str]:
    """The org path of each customer (core's audit log scopes a row by its customer's; one query)."""
    return dict(Customer.objects.using(using).filter(pk__in=customer_ids).values_list("pk", "org_path"))


def audit_name(model: type, object_id: str) -> str:
    """A customer's name on the audit page, masked as on every other page; "" when the customer is gone."""
    customer = Customer.objects.filter(pk=object_id).first()
    return masked(customer, "name") if customer else ""


def licence_state(licence: Licence, today: date) -> str:
    return rules.licence_expiry_state(licence.valid_to, today, int(get_param("customers.licence_expiry_warning_days")))


def open_application(customer: Customer) -> AdmissionApplication | None:
    return (
        customer.applications.exclude(status__in=[ApplicationStatus.QUALIFIED, ApplicationStatus.REJECTED])
        .order_by("-id")
        .first()
    )


def groups_visible_to(user: User | None) -> QuerySet[CustomerGroup]:
    if user is None:
        return CustomerGroup.objects.all()
    access = access_for(user)
    return CustomerGroup.objects.filter(access.scope_q(CustomerPerm.CUSTOMER_VIEW, org_path_field="org_path"))


def encrypt_names() -> bool:
    return bool(settings.KEHU_ENCRYPT_INDIVIDUAL_NAMES)


# ------------------------------------------------------------------ inbox


INBOX_KINDS = ("returned", "sales_check", "office_review", "opinion", "committee", "licence_expiring", "consent")


def inbox_for(user: User) -> dict[str, QuerySet]:
    """What waits for ``user``: one queryset per kind of work, already scoped. Counts are ``.count()``."""

    access = access_for(user)
    apps = AdmissionApplication.objects.select_related("customer", "submitted_by")

    def scoped(perm: str) -> QuerySet:
        return apps.filter(access.scope_q(perm, org_path_field="customer__org_path",
                                          owner_field="customer__manager_id"))

    box: dict[str, QuerySet] = {}
    if access.has(CustomerPerm.ADMISSION_SUBMIT):
        box["returned"] = scoped(CustomerPerm.ADMISSION_SUBMIT).filter(status__in=[ApplicationStatus.RETURNED,
                                                                          ApplicationStatus.DRAFT])
    if access.has(CustomerPerm.ADMISSION_SALES_CHECK):
        box["sales_check"] = scoped(CustomerPerm.ADMISSION_SALES_CHECK).filter(
            status=ApplicationStatus.SUBMITTED).exclude(submitted_by=user)
    if access.has(CustomerPerm.ADMISSION_OFFICE_REVIEW):
        box["office_review"] = scoped(CustomerPerm.ADMISSION_OFFICE_REVIEW).filter(
            status=ApplicationStatus.SALES_CHECKED).exclude(submitted_by=user)
    if access.has(CustomerPerm.ADMISSION_OPINION):
        mine = access.departments()
        waiting = scoped(CustomerPerm.ADMISSION_OPINION).filter(status=ApplicationStatus.OFFICE_REVIEWED).exclude(
            submitted_by=user)
        done_ids = set()
        if mine:
            # An application waits for me while one of my departments has not spoken in this round.
            pending_ids = []
            for app_id, app_round in waiting.values_list("id", "round"):
                spoken = set(AdmissionReview.objects.filter(
                    application_id=app_id, round=app_round, stage=ReviewStage.DEPARTMENT
                ).values_list("department", flat=True))
                if mine - spoken:
                    pending_ids.append(app_id)
                else:
                    done_ids.add(app_id)
            box["opinion"] = apps.filter(pk__in=pending_ids)
        else:
            box["opinion"] = apps.none()
    if access.has(CustomerPerm.ADMISSION_COMMITTEE):
        # Only a vote in the current round takes it off the list: after a return, everyone votes again.
        voted = AdmissionReview.objects.filter(application=OuterRef("pk"), round=OuterRef("round"),
                                               stage=ReviewStage.COMMITTEE, reviewer=user)
        box["committee"] = scoped(CustomerPerm.ADMISSION_COMMITTEE).filter(
            status=ApplicationStatus.OPINIONS_COMPLETE).exclude(submitted_by=user).exclude(Exists(voted))
    if access.has(CustomerPerm.DOCUMENT_MANAGE):

        today = timezone.localdate()
        horizon = today + timedelta(days=int(get_param("customers.licence_expiry_warning_days")))
        box["licence_expiring"] = Licence.objects.select_related("customer").filter(
            access.scope_q(CustomerPerm.DOCUMENT_MANAGE, org_path_field="customer__org_path",
                           owner_field="customer__manager_id"),
            valid_to__lte=horizon,
            customer__admission_status__in=["prospect", "in_review", "qualified", "active"],
        ).order_by("valid_to")
    if access.has(CustomerPerm.CUSTOMER_CONSENT):
        box["consent"] = ConsentRecord.objects.select_related("customer").filter(
            access.scope_q(CustomerPerm.CUSTOMER_CONSENT, org_path_field="customer__org_path",
                           owner_field="customer__manager_id"),
            status="pending",
        )
    return box


def recorded_departments(application: AdmissionApplication) -> set[str]:
    """The departments whose opinion is recorded in the application's current round."""
    return set(application.reviews.filter(stage=ReviewStage.DEPARTMENT, round=application.round)
               .values_list("department", flat=True))


def customer_actions(*, user: User, access: Access, customer: Customer,
                     application: AdmissionApplication | None) -> dict[str, dict[str, Any]]:
    """The actions ``user`` may take on ``customer`` now, as slot names → what the slot's form needs.

    Which actions the customer's standing and the application's state allow comes from the state machines
    (``rules.TRANSITIONS``, ``rules.CUSTOMER_TRANSITIONS``); the services enforce the same tables, so the
    page never offers what a service would refuse for its state. Permission and scope come from ``access``.
    """
    where = {"org_path": customer.org_path, "owner_id": customer.manager_id}

    def can(perm: str) -> bool:
        return access.reaches(perm, **where)

    status = customer.admission_status
    slots: dict[str, dict[str, Any]] = {}
    if can(CustomerPerm.CUSTOMER_EDIT):
        slots["edit"] = {}
        slots["contact"] = {}
    # Offer to unmask only when there is something to see: an unmasking is an audited event.
    if can(CustomerPerm.CUSTOMER_UNMASK) and any(customer_field_value(customer, field)
                                                 for field in personal_fields(customer)):
        slots["unmask"] = {}
    if can(CustomerPerm.DOCUMENT_MANAGE):
        slots["licence"] = {}
        slots["contract"] = {}
        slots["document"] = {}
        if rules.can_transact(status):
            slots["agreement"] = {}
    if can(CustomerPerm.CUSTOMER_CONSENT):
        slots["consent"] = {}
    if can(CustomerPerm.GROUP_MANAGE) and not customer.group_memberships.exists():
        groups = [g for g in groups_visible_to(user).order_by("code")[:500]
                  if access.reaches(CustomerPerm.GROUP_MANAGE, org_path=g.org_path)]
        if groups:
            slots["join_group"] = {"groups": groups}
    if can(CustomerPerm.ADMISSION_SUBMIT) and application is None and status in rules.APPLY_FROM:
        slots["apply"] = {}
    if application is not None:
        # Four-eyes: nobody reviews what they prepared or submitted.
        mine = user.pk in (application.submitted_by_id, application.created_by_id)
        state = application.status

        def allows(action: str) -> bool:
            return rules.application_allows(state, action)

        if can(CustomerPerm.ADMISSION_SUBMIT) and allows("submit"):
            slots["application_edit"] = {}
            slots["submit"] = {}
        if not mine and allows("sales_check") and can(CustomerPerm.ADMISSION_SALES_CHECK):
            slots["sales_check"] = {}
        if not mine and allows("office_review") and can(CustomerPerm.ADMISSION_OFFICE_REVIEW):
            slots["office_review"] = {}
        if not mine and allows("opinions_complete") and can(CustomerPerm.ADMISSION_OPINION):
            required = list(get_param("admission.required_departments"))
            recorded = recorded_departments(application)
            open_departments = [d for d in required if d in access.departments() and d not in recorded]
            if open_departments:
                slots["opinion"] = {"departments": open_departments}
        if not mine and allows("committee_approve") and can(CustomerPerm.ADMISSION_COMMITTEE):
            voted = application.reviews.filter(stage=ReviewStage.COMMITTEE, round=application.round,
                                               reviewer=user).exists()
            if not voted:
                slots["vote"] = {}
        stage_perm = RETURN_PERMISSION.get(state)
        if not mine and allows("return") and stage_perm and can(stage_perm) and can(CustomerPerm.ADMISSION_RETURN):
            slots["return"] = {}
    for action in ("activate", "terminate", "exit"):
        perm = {"activate": CustomerPerm.CUSTOMER_ACTIVATE, "terminate": CustomerPerm.CUSTOMER_TERMINATE,
                "exit": CustomerPerm.CUSTOMER_EXIT}[action]
        if rules.customer_allows(status, action) and can(perm):
            slots[action] = {}
    return slots
