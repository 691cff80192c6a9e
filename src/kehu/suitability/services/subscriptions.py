"""The subscription state machine (domain spec section 9):

draft -> kyc_done -> suitability_ok | warned_confirmed -> disclosure_signed -> contract_signed -> cooling_off
-> callback_done -> active (cancelled from any state before the call-back).

Each step is one transaction that locks the subscription, checks the transition table, writes a
``SubscriptionStatusChange`` row and an audit row. The investor cap is taken when the contract is signed,
with the product row locked, so two subscriptions cannot both take the last place.
"""

from __future__ import annotations

import hashlib
from datetime import date, datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from kehu.core.audit import audit_record
from kehu.core.errors import Conflict, InvalidInput, InvalidTransition, NotFound
from kehu.core.inputs import amount as parse_amount
from kehu.core.inputs import text
from kehu.core.models import User
from kehu.core.params import get_param
from kehu.customers.services import document_upload

from .. import permissions as P
from .. import rules
from ..errors import (
    AssessmentExpired,
    BelowMinimum,
    CoolingOff,
    NotQualified,
    NotSuitable,
    PlanFull,
    StaffNotAllowed,
)
from ..events import SuitabilityEvent as E
from ..models import (
    PLACE_STATES,
    InvestorProfile,
    PlanKind,
    Product,
    Subscription,
    SubscriptionState,
    SubscriptionStatusChange,
    SuitabilityCheck,
)
from ..selectors import product_get, profile_get, subscription_get
from ._common import facts_of, local_day, now_or, qi_version, require, retain
from .profiles import assessment_current, assessment_valid

S = SubscriptionState


# ------------------------------------------------------------------------------------------- matching


def evaluate(*, profile: InvestorProfile, product: Product, on: date, amount: Decimal | None = None) -> dict:
    """Everything that decides whether ``profile`` may subscribe ``product`` on ``on``: the staff rule for
    single-client plans (M-7), the qualified-investor test of the rule version in force (M-8, M-9), the minimum
    amount, and the suitability match (M-10, M-12). The first failing rule gives ``reason_code``."""
    version, qi = qi_version(on)
    assessment = assessment_current(profile)
    valid = assessment_valid(profile, assessment, on)
    result = rules.match(
        investor_class=assessment.investor_class if assessment else None,
        lowest_category=bool(assessment and assessment.lowest_category), professional=profile.professional,
        product_risk=product.risk_level, matrix=get_param("am.suitability_matrix", on=on),
        above_level_policy=str(get_param("am.above_level_policy", on=on)), assessment_valid=valid)
    out = {"allowed": result.allowed, "needs_warning": result.needs_warning, "reason_code": result.reason_code,
           "investor_class": "professional" if profile.professional else
           (assessment.investor_class if assessment else None),
           "product_risk": product.risk_level, "rule_version": version,
           "minimum_amount": rules.minimum_for(plan_kind=product.plan_kind, product_type=product.product_type,
                                               product_minimum=product.minimum_amount, rules=qi),
           "assessment": assessment}
    blockers = []
    if product.plan_kind == PlanKind.SINGLE and profile.is_staff_or_spouse:
        blockers.append("staff_single_client")
    if product.plan_kind != PlanKind.SINGLE:
        ok, reason = rules.qualified(facts_of(profile), qi)
        if not ok:
            blockers.append(reason)
    if amount is not None and amount < out["minimum_amount"]:
        blockers.append("below_minimum")
    if blockers:
        out.update(allowed=False, needs_warning=False, reason_code=blockers[0])
    return out


def match_for(*, user, investor_id: int, product_id: int, on: date | None = None) -> dict:
    """The answer of ``GET /api/v1/suitability/match`` (read only: nothing is recorded)."""
    profile = profile_get(user=user, profile_id=investor_id)
    product = product_get(user=user, product_id=product_id)
    result = evaluate(profile=profile, product=product, on=on or timezone.localdate())
    return {k: result[k] for k in ("allowed", "needs_warning", "reason_code", "investor_class", "product_risk")}


# ------------------------------------------------------------------------------------------- helpers


def _move(sub: Subscription, to: str, *, actor, now: datetime, note: str = "", fields: tuple[str, ...] = ()) -> None:
    if not rules.can_transition(sub.state, to):
        raise InvalidTransition()
    old = sub.state
    sub.state = to
    sub.save(update_fields=["state", *fields])
    SubscriptionStatusChange.objects.create(subscription=sub, from_state=old, to_state=to, actor=actor, at=now,
                                            note=note[:500])
    audit_record(actor=actor, event_code=E.SUBSCRIPTION_TRANSITION, object_type="subscription", object_id=sub.pk,
                 customer_id=sub.investor.customer_id, old={"state": old}, new={"state": to}, reason=note[:500])


def _lock(actor, subscription_id: int, perm: str = P.SUBSCRIBE) -> Subscription:
    return subscription_get(user=actor, subscription_id=subscription_id, perm=perm, lock=True)


def _record_check(sub: Subscription, result: dict, now: datetime) -> SuitabilityCheck:
    return SuitabilityCheck.objects.create(
        investor=sub.investor, product=sub.product, subscription=sub, org_path=sub.org_path,
        investor_class=result["investor_class"] or "", product_risk=result["product_risk"],
        allowed=result["allowed"], needs_warning=result["needs_warning"], reason_code=result["reason_code"],
        checked_at=now, retain_until=retain(local_day(now)))


_REASON_ERRORS = {
    "staff_single_client": StaffNotAllowed, "below_minimum": BelowMinimum, "assessment_missing": AssessmentExpired,
    "assessment_expired": AssessmentExpired, "lowest_category": NotSuitable, "above_level_refused": NotSuitable,
}


def _refusal(reason: str):
    error = _REASON_ERRORS.get(reason, NotQualified)()
    error.code = reason if error.__class__ is NotSuitable else error.code
    return error


# ------------------------------------------------------------------------------------------- steps


@transaction.atomic
def subscription_create(*, actor, investor_id: int, product_id: int, amount, now: datetime | None = None
                        ) -> Subscription:
    """Start a subscription (draft). The rule version in force on the subscription date is fixed here."""
    now = now_or(now)
    require(actor, P.SUBSCRIBE)
    profile = profile_get(user=actor, profile_id=investor_id, perm=P.SUBSCRIBE)
    product = product_get(user=actor, product_id=product_id)
    if not product.open:
        raise InvalidTransition(_("The product is not open for subscription."), code="product_closed")
    value = parse_amount(amount, "amount", required=True)
    if value <= 0:
        raise InvalidInput(_("The amount must be positive."), field="amount")
    today = local_day(now)
    result = evaluate(profile=profile, product=product, on=today, amount=value)
    if result["reason_code"] == "staff_single_client":
        raise StaffNotAllowed()
    if result["reason_code"] == "below_minimum":
        raise BelowMinimum(_("The amount is below the minimum subscription of %(m)s.") %
                           {"m": f'{result["minimum_amount"]:,.2f}'}, field="amount")
    sub = Subscription.objects.create(investor=profile, product=product, org_path=profile.org_path, amount=value,
                                      subscribed_on=today, rule_version=result["rule_version"], created_by=actor,
                                      retain_until=retain(today))
    SubscriptionStatusChange.objects.create(subscription=sub, from_state="", to_state=S.DRAFT, actor=actor, at=now)
    audit_record(actor=actor, event_code=E.SUBSCRIPTION_CREATED, object_type="subscription", object_id=sub.pk,
                 customer_id=profile.customer_id,
                 new={"product": product.code, "amount": value, "rule_version": sub.rule_version})
    return sub


@transaction.atomic
def subscription_kyc_done(*, actor, subscription_id: int, now: datetime | None = None) -> Subscription:
    """KYC complete (M-4): the client confirmed the facts, evidence is on file, and the qualified-investor
    test of the subscription date's rule version passes."""
    now = now_or(now)
    sub = _lock(actor, subscription_id)
    profile = sub.investor
    if not profile.facts_confirmed:
        raise InvalidTransition(_("The client has not confirmed that the information is true."),
                                code="facts_not_confirmed")
    if not profile.evidence.exists():
        raise InvalidTransition(_("Evidence of the financial facts must be on file."), code="evidence_missing")
    result = evaluate(profile=profile, product=sub.product, on=sub.subscribed_on, amount=sub.amount)
    if result["reason_code"] in ("staff_single_client", "below_minimum", "entity_net_assets_below",
                                 "experience_below", "person_wealth_below"):
        raise _refusal(result["reason_code"])
    _move(sub, S.KYC_DONE, actor=actor, now=now)
    return sub


def _disclosure(sub: Subscription, result: dict) -> str:
    product = sub.product
    return gettext(
        "Risk-disclosure statement\n"
        "Product: %(code)s %(name)s (%(kind)s, %(type)s), risk level %(risk)s.\n"
        "Investor class: %(cls)s. Amount: %(amount)s CNY. Rule version: %(version)s.\n"
        "The plan does not promise principal protection or any minimum return; the investor may lose part or "
        "all of the amount invested. Past performance does not predict future results. After the contract is "
        "signed and the funds are paid there is a cooling-off period of %(hours)d hours, followed by a "
        "call-back; the investor may withdraw during the cooling-off period.") % {
        "code": product.code, "name": product.name, "kind": product.get_plan_kind_display(),
        "type": product.get_product_type_display(), "risk": product.risk_level,
        "cls": result["investor_class"] or "-", "amount": f"{sub.amount:,.2f}", "version": sub.rule_version,
        "hours": int(get_param("am.cooling_off_hours", on=sub.subscribed_on))}


def _set_disclosure(sub: Subscription, result: dict) -> None:
    sub.disclosure_text = _disclosure(sub, result)
    sub.disclosure_sha256 = hashlib.sha256(sub.disclosure_text.encode()).hexdigest()


def subscription_check(*, actor, subscription_id: int, now: datetime | None = None) -> Subscription:
    """Match the investor with the product (M-10). Every check is recorded (M-13), refusals included: the
    check row commits before the refusal is raised."""
    now = now_or(now)
    with transaction.atomic():
        sub = _lock(actor, subscription_id)
        if sub.state != S.KYC_DONE:
            raise InvalidTransition()
        result = evaluate(profile=sub.investor, product=sub.product, on=local_day(now))
        _record_check(sub, result, now)
        audit_record(actor=actor, event_code=E.SUITABILITY_CHECKED, object_type="subscription", object_id=sub.pk,
                     customer_id=sub.investor.customer_id,
                     new={k: result[k] for k in ("allowed", "needs_warning", "reason_code", "investor_class",
                                                 "product_risk")})
        sub.investor_class = result["investor_class"] or ""
        sub.assessment = result["assessment"]
        if result["allowed"] and not result["needs_warning"]:
            _set_disclosure(sub, result)
            _move(sub, S.SUITABILITY_OK, actor=actor, now=now,
                  fields=("investor_class", "assessment", "disclosure_text", "disclosure_sha256"))
            return sub
        if result["allowed"] and result["needs_warning"]:
            sub.warning_text = gettext(
                "Written warning: the product %(code)s has risk level %(risk)s, above what an investor of class "
                "%(cls)s is matched with. Buying it may expose you to losses you cannot bear. Confirm in writing "
                "only if you still wish to buy it.") % {"code": sub.product.code, "risk": sub.product.risk_level,
                                                        "cls": result["investor_class"]}
            sub.warned_at = now
            sub.save(update_fields=["investor_class", "assessment", "warning_text", "warned_at"])
            audit_record(actor=actor, event_code=E.WARNING_ISSUED, object_type="subscription", object_id=sub.pk,
                         customer_id=sub.investor.customer_id, new={"warned_at": now})
            return sub
        sub.save(update_fields=["investor_class", "assessment"])
    raise _refusal(result["reason_code"])


@transaction.atomic
def subscription_confirm_warning(*, actor, subscription_id: int, confirmation: str,
                                 now: datetime | None = None) -> Subscription:
    """The investor's recorded confirmation of the written warning (warn-and-confirm policy)."""
    now = now_or(now)
    sub = _lock(actor, subscription_id)
    if sub.state != S.KYC_DONE or sub.warned_at is None:
        raise InvalidTransition(_("No written warning is waiting for confirmation."))
    # The policy or the assessment may have changed since the warning: check again, and record it.
    result = evaluate(profile=sub.investor, product=sub.product, on=local_day(now))
    if not (result["allowed"] and result["needs_warning"]):
        raise _refusal(result["reason_code"]) if not result["allowed"] else InvalidTransition()
    sub.warning_confirmation = text(confirmation, "confirmation", max_length=500, required=True)
    sub.warning_confirmed_at = now
    _set_disclosure(sub, result)
    _move(sub, S.WARNED_CONFIRMED, actor=actor, now=now, fields=(
        "warning_confirmation", "warning_confirmed_at", "disclosure_text", "disclosure_sha256"))
    return sub


def subscription_sign_disclosure(*, actor, subscription_id: int, explained_by_id: int, esignature_ref: str = "",
                                 signed_copy: tuple[str, str, bytes] | None = None,
                                 now: datetime | None = None) -> Subscription:
    """The risk-disclosure statement signed (M-5): an uploaded signed copy or an e-signature record, and the
    staff member who explained the firm, the rules and the contract."""

    now = now_or(now)
    with transaction.atomic():
        sub = _lock(actor, subscription_id)
        if sub.state not in (S.SUITABILITY_OK, S.WARNED_CONFIRMED):
            raise InvalidTransition()
        explainer = User.objects.filter(pk=explained_by_id, is_active=True).first() if explained_by_id else None
        if explainer is None:
            raise InvalidInput(_("Record the staff member who explained the contract."), field="explained_by_id")
        ref = text(esignature_ref, "esignature_ref", max_length=200)
        if not ref and not signed_copy:
            raise InvalidInput(_("Upload the signed statement or give the e-signature record."),
                               field="signed_copy", code="signature_missing")
        if signed_copy:
            filename, content_type, data = signed_copy
            sub.disclosure_document = document_upload(
                actor=actor, customer_id=sub.investor.customer_id, kind="contract",
                title=gettext("Signed risk-disclosure statement"), filename=filename, content_type=content_type,
                data=data)
        sub.esignature_ref = ref
        sub.explained_by = explainer
        sub.risk_disclosure_signed_at = now
        _move(sub, S.DISCLOSURE_SIGNED, actor=actor, now=now, fields=(
            "disclosure_document", "esignature_ref", "explained_by", "risk_disclosure_signed_at"))
    return sub


@transaction.atomic
def subscription_sign_contract(*, actor, subscription_id: int, now: datetime | None = None) -> Subscription:
    """The contract signed: the investor takes a place under the plan's cap (M-8). The product row is locked
    first, so two subscriptions racing for the last place are serialised and the second sees it taken."""
    now = now_or(now)
    sub = subscription_get(user=actor, subscription_id=subscription_id, perm=P.SUBSCRIBE)
    # Lock order: product, then subscription (every place-taking path does the same).
    product = Product.objects.select_for_update().get(pk=sub.product_id)
    sub = _lock(actor, subscription_id)
    if sub.state != S.DISCLOSURE_SIGNED:
        raise InvalidTransition()
    today = local_day(now)
    if not sub.investor.professional and not assessment_valid(sub.investor, assessment_current(sub.investor), today):
        raise AssessmentExpired()
    _version, qi = rules.version_in_force({"2012": get_param("am.qi_2012", on=sub.subscribed_on),
                                           "2018": get_param("am.qi_2018", on=sub.subscribed_on)}, sub.subscribed_on)
    cap = rules.investor_cap(plan_kind=product.plan_kind, product_cap=product.max_investors, rules=qi)
    holders = Subscription.objects.filter(product=product, state__in=PLACE_STATES)
    already = holders.filter(investor_id=sub.investor_id).exists()
    if not rules.has_place(holders=holders.values("investor_id").distinct().count(), already_holder=already, cap=cap):
        raise PlanFull()
    sub.contract_signed_at = now
    _move(sub, S.CONTRACT_SIGNED, actor=actor, now=now, fields=("contract_signed_at",))
    return sub


@transaction.atomic
def subscription_funds_received(*, actor, subscription_id: int, now: datetime | None = None) -> Subscription:
    """The funds are paid: the cooling-off period starts (M-14, at least 24 hours); the funds may not be
    invested before it ends."""
    now = now_or(now)
    sub = _lock(actor, subscription_id)
    if sub.state != S.CONTRACT_SIGNED:
        raise InvalidTransition()
    try:
        sub.cooling_off_end = rules.cooling_off_end(now, int(get_param("am.cooling_off_hours", on=local_day(now))))
    except ValueError:  # a parameter set below the 24 hours M-14 requires
        raise Conflict(_("The cooling-off parameter is below 24 hours; correct it first."),
                       code="configuration") from None
    _move(sub, S.COOLING_OFF, actor=actor, now=now, fields=("cooling_off_end",))
    return sub


@transaction.atomic
def subscription_callback(*, actor, subscription_id: int, note: str, now: datetime | None = None) -> Subscription:
    """The call-back after the cooling-off period (M-14)."""
    now = now_or(now)
    sub = _lock(actor, subscription_id)
    if sub.state != S.COOLING_OFF:
        raise InvalidTransition()
    if not rules.cooling_off_over(sub.cooling_off_end, now):
        raise CoolingOff(_("The cooling-off period ends at %(t)s.") %
                         {"t": timezone.localtime(sub.cooling_off_end).strftime("%Y-%m-%d %H:%M")})
    sub.callback_at, sub.callback_by = now, actor
    sub.callback_note = text(note, "note", max_length=500, required=True)
    sub.callback_due = False
    _move(sub, S.CALLBACK_DONE, actor=actor, now=now, note=sub.callback_note,
          fields=("callback_at", "callback_by", "callback_note", "callback_due"))
    return sub


@transaction.atomic
def subscription_activate(*, actor, subscription_id: int, now: datetime | None = None) -> Subscription:
    now = now_or(now)
    sub = _lock(actor, subscription_id)
    if sub.state != S.CALLBACK_DONE:
        raise InvalidTransition()
    sub.activated_at = now
    _move(sub, S.ACTIVE, actor=actor, now=now, fields=("activated_at",))
    return sub


@transaction.atomic
def subscription_cancel(*, actor, subscription_id: int, reason: str, now: datetime | None = None) -> Subscription:
    """Withdraw a subscription (within the cooling-off period the investor may always withdraw); its place
    under the cap is freed."""
    now = now_or(now)
    sub = _lock(actor, subscription_id)
    _move(sub, S.CANCELLED, actor=actor, now=now, note=text(reason, "reason", max_length=500, required=True))
    return sub


def cooling_off_expire_due(*, now: datetime | None = None) -> int:
    """Flag subscriptions whose cooling-off period is over for the call-back (the call-back backlog)."""
    now = now_or(now)
    count = 0
    for pk in Subscription.objects.filter(state=S.COOLING_OFF, callback_due=False, cooling_off_end__lte=now) \
            .values_list("pk", flat=True):
        with transaction.atomic():
            sub = Subscription.objects.select_for_update().select_related("investor").get(pk=pk)
            if sub.state != S.COOLING_OFF or sub.callback_due:
                continue
            sub.callback_due = True
            sub.save(update_fields=["callback_due"])
            audit_record(actor=None, event_code=E.COOLING_OFF_ENDED, object_type="subscription", object_id=sub.pk,
                         customer_id=sub.investor.customer_id, new={"cooling_off_end": sub.cooling_off_end})
            count += 1
    return count


def subscription_by_pk(pk: int) -> Subscription:
    found = Subscription.objects.filter(pk=pk).first()
    if found is None:
        raise NotFound()
    return found
