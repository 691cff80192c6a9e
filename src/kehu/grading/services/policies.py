"""Scorecard policies: created by one person, approved by another (maker-checker) before any run uses them."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from kehu.core.audit import audit_record
from kehu.core.errors import InvalidInput, InvalidTransition, NotFound, SelfApprovalNotAllowed
from kehu.core.models import User
from kehu.core.params import get_param
from kehu.grading import rules
from kehu.grading.errors import NoApprovedPolicy
from kehu.grading.events import GradingEvent
from kehu.grading.models import PolicyStatus, ScorecardPolicy
from kehu.grading.permissions import GradingPerm
from kehu.grading.services._common import require_company_wide


def default_config() -> dict:
    return rules.validate_policy(rules.default_policy(
        volume_full_amount=Decimal(str(get_param("grading.volume_full_amount"))),
        weights=get_param("grading.weights"), bands=get_param("grading.bands"),
        fulfilment_floor=Decimal(str(get_param("grading.fulfilment_floor"))),
    ))


@transaction.atomic
def policy_create(*, actor: User | None, name: Any, config: Any = None) -> ScorecardPolicy:
    require_company_wide(actor, GradingPerm.CONFIGURE)
    if not isinstance(name, str) or not name.strip() or len(name) > 200:
        raise InvalidInput(_("Give the policy a name of at most 200 characters."), field="name")
    try:
        clean = rules.validate_policy(default_config() if config is None else config)
    except rules.PolicyInvalid as exc:
        raise InvalidInput(_("Invalid scorecard: %(e)s") % {"e": exc}, field="config") from None
    version = (ScorecardPolicy.objects.select_for_update().aggregate(v=Max("version"))["v"] or 0) + 1
    policy = ScorecardPolicy.objects.create(version=version, name=name.strip(), config=clean,
                                            created_by=actor if actor is not None and actor.pk else None)
    audit_record(actor=actor, event_code=GradingEvent.POLICY_CREATED, object_type="scorecard_policy",
                 object_id=policy.pk, new={"version": version, "config": clean})
    return policy


@transaction.atomic
def policy_approve(*, actor: User | None, policy_id: Any) -> ScorecardPolicy:
    require_company_wide(actor, GradingPerm.APPROVE_POLICY)
    try:
        policy = ScorecardPolicy.objects.select_for_update().get(pk=int(policy_id))
    except (TypeError, ValueError, ScorecardPolicy.DoesNotExist):
        raise NotFound() from None
    if policy.status != PolicyStatus.DRAFT:
        raise InvalidTransition(_("Only a draft policy can be approved."))
    if actor is not None and policy.created_by_id == actor.pk:
        raise SelfApprovalNotAllowed()
    ScorecardPolicy.objects.filter(status=PolicyStatus.APPROVED).update(status=PolicyStatus.RETIRED)
    policy.status = PolicyStatus.APPROVED
    policy.approved_by = actor if actor is not None and actor.pk else None
    policy.approved_at = timezone.now()
    policy.save(update_fields=["status", "approved_by", "approved_at"])
    audit_record(actor=actor, event_code=GradingEvent.POLICY_APPROVED, object_type="scorecard_policy",
                 object_id=policy.pk, new={"version": policy.version})
    return policy


def policy_in_force() -> ScorecardPolicy:
    policy = ScorecardPolicy.objects.filter(status=PolicyStatus.APPROVED).order_by("-version").first()
    if policy is None:
        raise NoApprovedPolicy()
    return policy
