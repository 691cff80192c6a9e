"""Credit lines: rating, request (with the formula proposal and the authority routing), maker-checker
approval, freeze, adjust, expiry and renewal, exit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Exists, F, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from kehu.core.access import require
from kehu.core.audit import audit_record
from kehu.core.errors import (
    Conflict,
    InvalidInput,
    InvalidTransition,
    NotFound,
    PermissionDenied,
    SelfApprovalNotAllowed,
)
from kehu.core.inputs import amount as parse_amount
from kehu.core.inputs import choice, day, text
from kehu.core.models import Role, User
from kehu.core.money import round_money
from kehu.core.params import get_param
from kehu.core.selectors import access_for
from kehu.credit import rules
from kehu.credit.errors import CreditRefused, NoAuthority, RatingTooLow
from kehu.credit.events import CreditEvent
from kehu.credit.models import CapitalBase, CreditLine, CreditUse, CustomerRating, LineChange, SubLimit
from kehu.credit.permissions import CreditPerm
from kehu.credit.services._base import line_for, lock_lines, movement
from kehu.credit.services.membership import charge_uses_to_group_line
from kehu.customers.models import CustomerGroup, GroupMembership
from kehu.customers.selectors import customer_get
from kehu.customers.services import customer_require_tradable

ZERO = Decimal("0.00")


def _depth(path: str) -> int:
    return path.strip("/").count("/")


def _ancestor(path: str, level: int) -> str:
    parts = path.strip("/").split("/")
    return "/" + "/".join(parts[: level + 1]) + "/"


def latest_rating(customer_id: int) -> str:
    row = CustomerRating.objects.filter(customer_id=customer_id).order_by("-rated_on", "-id").first()
    return row.rating if row else ""


@transaction.atomic
def rating_record(*, actor: User | None, customer_id: int, rating: str, rated_on: Any = None, note: str = "",
                  channel: str = "") -> CustomerRating:
    # locked: the rating's foreign key is checked at commit on PostgreSQL, after the audit head lock
    customer = customer_get(user=actor, customer_id=customer_id, perm=CreditPerm.RATE, lock=True)
    rating = choice(rating, "rating", rules.RATINGS)
    row = CustomerRating.objects.create(customer=customer, rating=rating,
                                        rated_on=day(rated_on, "rated_on") or timezone.localdate(),
                                        note=text(note, "note", max_length=500),
                                        rated_by=actor if actor is not None and actor.pk else None)
    audit_record(actor=actor, event_code=CreditEvent.RATING_RECORDED, object_type="customer_rating",
                 object_id=row.pk, customer_id=customer.pk, channel=channel,
                 new={"rating": rating, "rated_on": str(row.rated_on)})
    return row


def _sub_limits(value: Any, line_amount: Decimal) -> dict[str, Decimal]:
    if value in (None, ""):
        return {}
    if not isinstance(value, dict):
        raise InvalidInput(_("sub_limits must map a product to an amount."), field="sub_limits")
    out = {}
    for product, raw in value.items():
        product = choice(product, "sub_limits", rules.PRODUCTS)
        amount = parse_amount(raw, f"sub_limits.{product}", required=True)
        if amount > line_amount:
            raise InvalidInput(_("The %(product)s sub-limit exceeds the line.") % {"product": product},
                               field="sub_limits", code="sub_limit_above_line")
        out[product] = amount
    return out


def _formula_inputs(value: Any) -> rules.FormulaInputs | None:
    if value in (None, ""):
        return None
    if not isinstance(value, dict):
        raise InvalidInput(_("formula_inputs must be an object."), field="formula_inputs")
    allowed = {"equity", "intangibles", "related_party_receivables", "long_outstanding_receivables",
               "industry_debt_ratio", "other_bank_lines", "annual_revenue", "is_sme"}
    unknown = set(value) - allowed
    if unknown:
        raise InvalidInput(_("Unknown formula inputs: %(names)s.") % {"names": ", ".join(sorted(unknown))},
                           field="formula_inputs")
    money = {k: parse_amount(value.get(k), f"formula_inputs.{k}") for k in
             ("equity", "intangibles", "related_party_receivables", "long_outstanding_receivables",
              "other_bank_lines", "annual_revenue")}
    if money["equity"] is None:
        raise InvalidInput(_("formula_inputs.equity is required."), field="formula_inputs")
    raw_ratio = value.get("industry_debt_ratio", get_param("bankline.default_industry_debt_ratio"))
    try:
        ratio = Decimal(str(raw_ratio))
    except Exception:
        raise InvalidInput(_("industry_debt_ratio must be a number."), field="formula_inputs") from None
    if isinstance(raw_ratio, (float, bool)) or not ratio.is_finite() or not (0 <= ratio < 1):
        raise InvalidInput(_("industry_debt_ratio must be at least 0 and below 1."), field="formula_inputs")
    return rules.FormulaInputs(
        equity=money["equity"], intangibles=money["intangibles"] or ZERO,
        related_party_receivables=money["related_party_receivables"] or ZERO,
        long_outstanding_receivables=money["long_outstanding_receivables"] or ZERO, industry_debt_ratio=ratio,
        other_bank_lines=money["other_bank_lines"] or ZERO, annual_revenue=money["annual_revenue"],
        is_sme=bool(value.get("is_sme", False)),
    )


@transaction.atomic
def line_request(
    *, actor: User | None, line_amount: Any, customer_id: int | None = None, group_id: int | None = None,
    currency: str = "CNY", valid_from: Any = None, valid_to: Any = None, sub_limits: Any = None,
    temp_amount: Any = None, temp_valid_to: Any = None, collateral_type: str = "", mortgage_share_pct: Any = None,
    line_type: str = "comprehensive", formula_inputs: Any = None, renews_line_id: int | None = None,
    channel: str = "",
) -> CreditLine:
    """Request a line (maker). The formula proposal is computed beside the requested amount, the request
    is routed to the lowest level with authority, and it waits for a checker's approval."""
    if (customer_id is None) == (group_id is None):
        raise InvalidInput(_("Give either a customer or a group."), field="customer_id")
    requested = parse_amount(line_amount, "line_amount", required=True)
    if requested <= 0:
        raise InvalidInput(_("line_amount must be greater than zero."), field="line_amount")
    line_type = choice(line_type, "line_type", ["comprehensive", "specific"])
    currency = text(currency, "currency", max_length=3, required=True).upper()
    if len(currency) != 3 or not currency.isalpha():
        raise InvalidInput(_("currency must be a 3-letter ISO code."), field="currency")
    today = timezone.localdate()
    start = day(valid_from, "valid_from") or today
    end = day(valid_to, "valid_to") or rules.add_months(start, int(get_param("bankline.validity_months")))
    if end < start:
        raise InvalidInput(_("valid_to is before valid_from."), field="valid_to")
    subs = _sub_limits(sub_limits, requested)
    if line_type == "specific" and len(subs) != 1:
        raise InvalidInput(_("A specific line has exactly one product sub-limit."), field="sub_limits")
    temp = parse_amount(temp_amount, "temp_amount") or ZERO
    temp_to = day(temp_valid_to, "temp_valid_to")
    if temp > 0 and (temp_to is None or temp_to > end):
        raise InvalidInput(_("A temporary line needs an end date within the line's validity."),
                           field="temp_valid_to")
    collateral = text(collateral_type, "collateral_type", max_length=32)
    share = parse_amount(mortgage_share_pct, "mortgage_share_pct") or ZERO
    if share > 100:
        raise InvalidInput(_("mortgage_share_pct is at most 100."), field="mortgage_share_pct")
    inputs = _formula_inputs(formula_inputs)
    if customer_id is not None:
        customer = customer_get(user=actor, customer_id=customer_id, perm=CreditPerm.REQUEST, lock=True)
        customer_require_tradable(customer_id=customer.pk)
        owner = {"kind": "customer", "customer": customer}
        org_path = customer.org_path
        rating = latest_rating(customer.pk)
        if line_type == "comprehensive":
            minimum = str(get_param("bankline.min_rating_for_mcl"))
            if not rules.rating_at_least(rating, minimum):
                raise RatingTooLow(_("The customer's rating is %(rating)s; a comprehensive line needs %(min)s or "
                                     "better.") % {"rating": rating or _("none"), "min": minimum})
        live = CreditLine.objects.filter(customer=customer, line_type=line_type, status__in=[
            "in_approval", "active", "frozen", "expired", "renewal_pending"])
    else:
        group = CustomerGroup.objects.select_for_update().filter(pk=group_id).first() if str(group_id).isdigit() \
            else None
        require(actor, CreditPerm.REQUEST, view=CreditPerm.VIEW, org_path=group.org_path if group else None)
        if line_type != "comprehensive":
            raise InvalidInput(_("A group line is a comprehensive line."), field="line_type")
        for member_id in GroupMembership.objects.filter(group=group).order_by("customer_id").values_list(
                "customer_id", flat=True):
            customer_require_tradable(customer_id=member_id)
        owner = {"kind": "group", "group": group}
        org_path = group.org_path
        rating = ""
        live = CreditLine.objects.filter(group=group, status__in=["in_approval", "active", "frozen", "expired",
                                                                  "renewal_pending"])
    renews = None
    if renews_line_id not in (None, ""):
        renews = line_for(actor, renews_line_id, CreditPerm.REQUEST)
        renews = lock_lines([renews.pk])[renews.pk]
        same_owner = (renews.customer_id == getattr(owner.get("customer"), "pk", None)
                      and renews.group_id == getattr(owner.get("group"), "pk", None))
        if not same_owner or renews.status not in ("active", "frozen", "expired"):
            raise InvalidInput(_("Only a live line of the same customer can be renewed."), field="renews_line_id")
        if CreditLine.objects.filter(renews=renews, status="in_approval").exists():
            raise Conflict(_("A renewal of this line is already in approval."), code="renewal_exists")
        live = live.exclude(pk=renews.pk)
    if live.exists():
        raise Conflict(_("The customer already has a line of this type; adjust or renew it."), code="line_exists")
    matrix = rules.parse_matrix(get_param("bankline.authority_matrix"))
    level = rules.required_level(matrix, line_amount=requested, rating=rating, collateral=collateral,
                                 mortgage_share_pct=share, sub_limits=subs)
    if level is None:
        raise NoAuthority(_("No level of the authority matrix can approve this request."))
    proposal = None
    if inputs is not None:
        proposal = rules.formula_proposal(
            inputs, rating=rating, requested=requested, k_rating=get_param("bankline.k_rating"),
            target_share=Decimal(str(get_param("bankline.target_share"))), concentration_cap=_concentration_cap(
                group=owner["kind"] == "group"))
    routed = _ancestor(org_path, level) if level <= _depth(org_path) else org_path
    line = CreditLine.objects.create(
        **owner, line_type=line_type, org_path=org_path, currency=currency, line_amount=requested,
        requested_amount=requested, proposed_amount=Decimal(proposal["proposed_amount"]) if proposal else None,
        proposal=proposal, temp_amount=temp, temp_valid_to=temp_to, valid_from=start, valid_to=end,
        collateral_type=collateral, mortgage_share_pct=share, rating=rating, required_level=level,
        routed_org_path=routed, renews=renews, maker=actor if actor is not None and actor.pk else None,
    )
    for product, amount in sorted(subs.items()):
        SubLimit.objects.create(line=line, product=product, limit_amount=amount)
    if renews is not None and renews.status == "expired":
        _set_status(renews, "renewal_pending", actor, CreditEvent.LINE_RENEWAL_PENDING, channel)
    audit_record(actor=actor, event_code=CreditEvent.LINE_REQUESTED, object_type="credit_line", object_id=line.pk,
                 customer_id=line.customer_id, channel=channel,
                 new={"kind": line.kind, "line_type": line_type, "line_amount": str(requested), "currency": currency,
                      "valid_from": str(start), "valid_to": str(end), "sub_limits": {k: str(v) for k, v in
                                                                                      subs.items()},
                      "temp_amount": str(temp), "rating": rating, "required_level": level, "routed_to": routed,
                      "renews": renews.pk if renews else None,
                      "proposed_amount": proposal["proposed_amount"] if proposal else None})
    return line


def _concentration_cap(*, group: bool) -> Decimal | None:
    """B-6 caps the proposal by the concentration limits of section 4: 15 % of tier-1 net capital for one
    client, 20 % for a connected group (R-9), from the latest capital bases finance entered."""
    base = CapitalBase.objects.order_by("-as_of").first()
    if base is None:
        return None
    code = "limit.large_exposure_connected_pct_tier1" if group else "limit.large_exposure_single_pct_tier1"
    return round_money(base.tier1_net_amount * Decimal(str(get_param(code))) / 100)


def _set_status(line: CreditLine, new: str, actor, event_code: int, channel: str = "", reason: str = "") -> None:
    if not rules.can_transition(line.status, new):
        raise InvalidTransition()
    old = line.status
    CreditLine.objects.filter(pk=line.pk).update(status=new, version=F("version") + 1)
    line.status = new
    audit_record(actor=actor, event_code=event_code, object_type="credit_line", object_id=line.pk,
                 customer_id=line.customer_id, channel=channel, old={"status": old}, new={"status": new},
                 reason=reason)


def _check_authority(actor: User | None, line: CreditLine, amount: Decimal | None = None,
                     sub_limits: dict | None = None) -> None:
    """The checker must be a credit approver reaching the line at a level with authority for it."""
    if actor is None:
        return
    if line.maker_id == actor.pk:
        raise SelfApprovalNotAllowed()
    level = line.required_level
    if amount is not None:
        matrix = rules.parse_matrix(get_param("bankline.authority_matrix"))
        level = rules.required_level(matrix, line_amount=amount, rating=line.rating, collateral=line.collateral_type,
                                     mortgage_share_pct=line.mortgage_share_pct, sub_limits=sub_limits or {})
        if level is None:
            raise NoAuthority(_("No level of the authority matrix can approve this amount."))
    for grant in access_for(actor).grants:
        if grant.role == Role.CREDIT_APPROVER and line.org_path.startswith(grant.org_path) and \
                _depth(grant.org_path) <= level:
            return
    raise NoAuthority()


@transaction.atomic
def line_approve(*, actor: User | None, line_id: int, note: str = "", channel: str = "") -> CreditLine:
    """Checker's approval. A renewal takes over the outstanding and reservations of the line it renews
    (they must fit in it, product by product), and the old line is closed."""
    note = text(note, "note", max_length=500)
    line = line_for(actor, line_id, CreditPerm.APPROVE)
    if line.status != "in_approval":
        raise InvalidTransition()
    _check_authority(actor, line)
    if line.customer_id:
        customer_require_tradable(customer_id=line.customer_id)
    locked = lock_lines([line.pk] + ([line.renews_id] if line.renews_id else []))
    line = locked[line.pk]
    if line.status != "in_approval":
        raise InvalidTransition()
    if line.renews_id:
        _transfer(locked[line.renews_id], line, actor)
        line.refresh_from_db()
    if line.kind == "group":
        # B-5: from approval on the group line counts every member's live use, also those drawn before.
        members = list(GroupMembership.objects.filter(group_id=line.group_id).values_list("customer_id", flat=True))
        charge_uses_to_group_line(line, members, actor=actor, reason_code="group_line_approved",
                                  refusal_code="group_line_below_member_uses")
    CreditLine.objects.filter(pk=line.pk).update(
        status="active", approver=actor if actor is not None and actor.pk else None, decided_at=timezone.now(),
        decision_note=note, version=F("version") + 1)
    line.refresh_from_db()
    audit_record(actor=actor, event_code=CreditEvent.LINE_APPROVED, object_type="credit_line", object_id=line.pk,
                 customer_id=line.customer_id, channel=channel, old={"status": "in_approval"},
                 new={"status": "active", "line_amount": str(line.line_amount), "note": note})
    return line


def _transfer(old: CreditLine, new: CreditLine, actor) -> None:
    used = old.outstanding_amount + old.reserved_amount
    today = timezone.localdate()
    if used > rules.effective_limit(new.line_amount, new.temp_amount, new.temp_valid_to, today):
        raise CreditRefused(_("The renewal (%(new)s) is smaller than what is in use on the old line (%(used)s).") % {
            "new": new.line_amount, "used": used}, code="renewal_below_use")
    old_subs = {s.product: s for s in SubLimit.objects.select_for_update().filter(line=old).order_by("pk")}
    new_subs = {s.product: s for s in SubLimit.objects.select_for_update().filter(line=new).order_by("pk")}
    for product, sub in old_subs.items():
        sub_used = sub.outstanding_amount + sub.reserved_amount
        if sub_used == 0:
            continue
        target = new_subs.get(product)
        if target is None and new_subs or target is not None and sub_used > target.limit_amount:
            raise CreditRefused(_("The renewal's %(product)s sub-limit does not cover what is in use.") % {
                "product": product}, code="renewal_below_use")
    # also uses of products without an old sub-limit must find room in the new sub-limits
    if new_subs:
        for product in set(CreditUse.objects.filter(line=old).exclude(status="settled").values_list("product",
                                                                                                  flat=True)):
            if product not in new_subs:
                raise CreditRefused(_("The renewal has no %(product)s sub-limit for the uses in progress.") % {
                    "product": product}, code="renewal_below_use")
    for product, sub in old_subs.items():
        target = new_subs.get(product)
        if target is not None:
            SubLimit.objects.filter(pk=target.pk).update(outstanding_amount=sub.outstanding_amount,
                                                         reserved_amount=sub.reserved_amount)
    for product, target in new_subs.items():
        if product not in old_subs:
            agg = [u for u in CreditUse.objects.filter(line=old, product=product).exclude(status="settled")]
            SubLimit.objects.filter(pk=target.pk).update(
                outstanding_amount=sum((u.outstanding_amount for u in agg), ZERO),
                reserved_amount=sum((u.reserved_amount for u in agg), ZERO))
    SubLimit.objects.filter(line=old).update(outstanding_amount=0, reserved_amount=0)
    CreditLine.objects.filter(pk=new.pk).update(outstanding_amount=old.outstanding_amount,
                                                reserved_amount=old.reserved_amount,
                                                exposure_amount=old.exposure_amount)
    CreditUse.objects.filter(line=old).update(line=new)
    CreditUse.objects.filter(group_line=old).update(group_line=new)
    CreditLine.objects.filter(pk=old.pk).update(outstanding_amount=0, reserved_amount=0, exposure_amount=0,
                                                status="closed", version=F("version") + 1)
    new.refresh_from_db()
    old.refresh_from_db()
    movement(new, kind="transfer", amount=used, actor=actor, reason_code="renewal", reason=f"from line {old.pk}")
    movement(old, kind="transfer", amount=used, actor=actor, reason_code="renewal", reason=f"to line {new.pk}")
    audit_record(actor=actor, event_code=CreditEvent.LINE_TRANSFERRED, object_type="credit_line", object_id=old.pk,
                 customer_id=old.customer_id, old={"status": "renewal_pending"},
                 new={"status": "closed", "renewed_by": new.pk, "amount": str(used)})


@transaction.atomic
def line_reject(*, actor: User | None, line_id: int, note: str = "", channel: str = "") -> CreditLine:
    note = text(note, "note", max_length=500, required=True)
    line = line_for(actor, line_id, CreditPerm.APPROVE)
    if line.maker_id and actor is not None and line.maker_id == actor.pk:
        raise SelfApprovalNotAllowed()
    locked = lock_lines([line.pk] + ([line.renews_id] if line.renews_id else []))
    line = locked[line.pk]
    if line.status != "in_approval":
        raise InvalidTransition()
    CreditLine.objects.filter(pk=line.pk).update(approver=actor if actor is not None and actor.pk else None,
                                                 decided_at=timezone.now(), decision_note=note)
    _set_status(line, "rejected", actor, CreditEvent.LINE_REJECTED, channel, reason=note)
    old = locked.get(line.renews_id)
    if old is not None and old.status == "renewal_pending":
        _set_status(old, "expired", actor, CreditEvent.LINE_EXPIRED, channel, reason=note)
    return line


@transaction.atomic
def line_freeze(*, actor: User | None, line_id: int, reason: str, channel: str = "") -> CreditLine:
    reason = text(reason, "reason", max_length=500, required=True)
    line = line_for(actor, line_id, CreditPerm.FREEZE)
    line = lock_lines([line.pk])[line.pk]
    if line.status != "active":
        raise InvalidTransition()
    _set_status(line, "frozen", actor, CreditEvent.LINE_FROZEN, channel, reason=reason)
    return line


@transaction.atomic
def line_unfreeze(*, actor: User | None, line_id: int, reason: str = "", channel: str = "") -> CreditLine:
    """Re-activating a line re-opens it to new use, so the admission guard and validity apply."""
    reason = text(reason, "reason", max_length=500)
    line = line_for(actor, line_id, CreditPerm.FREEZE)
    if line.customer_id:
        customer_require_tradable(customer_id=line.customer_id)
    line = lock_lines([line.pk])[line.pk]
    if line.status != "frozen":
        raise InvalidTransition()
    if line.valid_to < timezone.localdate():
        raise InvalidTransition(_("The line has matured; renew it instead."))
    _set_status(line, "active", actor, CreditEvent.LINE_UNFROZEN, channel, reason=reason)
    return line


@transaction.atomic
def line_adjust(*, actor: User | None, line_id: int, line_amount: Any = None, temp_amount: Any = None,
                temp_valid_to: Any = None, sub_limits: Any = None, reason: str = "", channel: str = "") -> CreditLine:
    """Change the line, the temporary line or sub-limits.

    A change that only lowers applies at once, by an approver with authority for the new amounts. A change
    that raises anything (the line, the temporary line or its end, a sub-limit, a new product) becomes a
    ``LineChange`` request that a second person with authority approves (maker-checker, B-3); the line is
    unchanged until then. A decrease below what is in use is refused: the invariant holds for every path.
    """
    reason = text(reason, "reason", max_length=500, required=True)
    line = line_for(actor, line_id, CreditPerm.VIEW)
    access = access_for(actor) if actor is not None else None
    if access is not None and not (access.reaches(CreditPerm.APPROVE, org_path=line.org_path)
                                   or access.reaches(CreditPerm.REQUEST, org_path=line.org_path)):
        raise PermissionDenied()
    if line.customer_id:
        customer_require_tradable(customer_id=line.customer_id)
    line = lock_lines([line.pk])[line.pk]
    if line.status not in ("active", "frozen"):
        raise InvalidTransition()
    change = _parse_change(line, line_amount, temp_amount, temp_valid_to, sub_limits)
    if not change.raises:
        if access is not None and not access.reaches(CreditPerm.APPROVE, org_path=line.org_path):
            raise PermissionDenied()
        _check_authority(actor, line, change.line_amount, change.all_subs)
        return _apply_change(actor, line, change, reason=reason, channel=channel)
    if LineChange.objects.filter(line=line, status="pending").exists():
        raise Conflict(_("A change of this line is already waiting for approval."), code="change_pending")
    matrix = rules.parse_matrix(get_param("bankline.authority_matrix"))
    if rules.required_level(matrix, line_amount=change.line_amount, rating=line.rating,
                            collateral=line.collateral_type, mortgage_share_pct=line.mortgage_share_pct,
                            sub_limits=change.all_subs) is None:
        raise NoAuthority(_("No level of the authority matrix can approve this amount."))
    request = LineChange.objects.create(
        line=line, line_amount=change.line_amount, temp_amount=change.temp_amount,
        temp_valid_to=change.temp_valid_to, sub_limits={p: str(a) for p, a in change.subs_in.items()},
        reason=reason, requested_by=actor if actor is not None and actor.pk else None)
    audit_record(actor=actor, event_code=CreditEvent.LINE_CHANGE_REQUESTED, object_type="credit_line",
                 object_id=line.pk, customer_id=line.customer_id, channel=channel, reason=reason,
                 old=change.old, new={"change": request.pk, **change.new})
    line.refresh_from_db()
    return line


@dataclass
class _Change:
    line_amount: Decimal
    temp_amount: Decimal
    temp_valid_to: date | None
    subs_in: dict[str, Decimal]
    subs: dict[str, SubLimit]
    all_subs: dict[str, Decimal]
    raises: bool
    old: dict
    new: dict


def _parse_change(line: CreditLine, line_amount: Any, temp_amount: Any, temp_valid_to: Any,
                  sub_limits: Any) -> _Change:
    new_amount = parse_amount(line_amount, "line_amount") if line_amount not in (None, "") else line.line_amount
    if new_amount <= 0:
        raise InvalidInput(_("line_amount must be greater than zero."), field="line_amount")
    new_temp = parse_amount(temp_amount, "temp_amount") if temp_amount not in (None, "") else line.temp_amount
    new_temp_to = day(temp_valid_to, "temp_valid_to") if temp_valid_to not in (None, "") else line.temp_valid_to
    if new_temp > 0 and (new_temp_to is None or new_temp_to > line.valid_to):
        raise InvalidInput(_("A temporary line needs an end date within the line's validity."),
                           field="temp_valid_to")
    subs_in = _sub_limits(sub_limits, new_amount)
    subs = {s.product: s for s in SubLimit.objects.select_for_update().filter(line=line).order_by("pk")}
    all_subs = {p: s.limit_amount for p, s in subs.items()} | subs_in
    raises = (
        new_amount > line.line_amount or new_temp > line.temp_amount
        or (new_temp > 0 and line.temp_valid_to is not None and new_temp_to is not None
            and new_temp_to > line.temp_valid_to)
        # a new product on a line with sub-limits opens a product that could not be drawn before
        or any(p not in subs and subs for p in subs_in)
        or any(p in subs and a > subs[p].limit_amount for p, a in subs_in.items())
    )
    old = {"line_amount": str(line.line_amount), "temp_amount": str(line.temp_amount),
           "sub_limits": {p: str(s.limit_amount) for p, s in subs.items()}}
    new = {"line_amount": str(new_amount), "temp_amount": str(new_temp),
           "sub_limits": {p: str(a) for p, a in all_subs.items()}}
    return _Change(new_amount, new_temp, new_temp_to, subs_in, subs, all_subs, raises, old, new)


def _apply_change(actor: User | None, line: CreditLine, change: _Change, *, reason: str,
                  channel: str) -> CreditLine:
    used = line.outstanding_amount + line.reserved_amount
    if used > change.line_amount + change.temp_amount:
        raise CreditRefused(_("The new line %(new)s is below what is in use (%(used)s).") % {
            "new": change.line_amount + change.temp_amount, "used": used}, code="below_use")
    for product, amount in change.subs_in.items():
        sub = change.subs.get(product)
        if sub is not None and sub.outstanding_amount + sub.reserved_amount > amount:
            raise CreditRefused(_("The new %(product)s sub-limit is below what is in use.") % {"product": product},
                                code="below_use")
    # conditional UPDATE: repeats the check in the row's own WHERE clause
    updated = CreditLine.objects.filter(
        pk=line.pk, reserved_amount__lte=change.line_amount + change.temp_amount - F("outstanding_amount")
    ).update(line_amount=change.line_amount, temp_amount=change.temp_amount, temp_valid_to=change.temp_valid_to,
             version=F("version") + 1)
    if updated != 1:
        raise CreditRefused(code="below_use")
    for product, amount in change.subs_in.items():
        if product in change.subs:
            if SubLimit.objects.filter(pk=change.subs[product].pk,
                                       reserved_amount__lte=amount - F("outstanding_amount")).update(
                    limit_amount=amount) != 1:
                raise CreditRefused(code="below_use")
        else:
            SubLimit.objects.create(line=line, product=product, limit_amount=amount)
    line.refresh_from_db()
    movement(line, kind="line_change", amount=change.line_amount, actor=actor, reason=reason)
    audit_record(actor=actor, event_code=CreditEvent.LINE_ADJUSTED, object_type="credit_line", object_id=line.pk,
                 customer_id=line.customer_id, channel=channel, old=change.old, reason=reason, new=change.new)
    return line


def _pending_change(actor: User | None, change_id: Any) -> tuple[LineChange, CreditLine]:
    try:
        pk = int(change_id)
    except (TypeError, ValueError):
        raise NotFound() from None
    change = LineChange.objects.select_for_update().filter(pk=pk).first()
    if change is None:
        raise NotFound()
    line = line_for(actor, change.line_id, CreditPerm.APPROVE)
    if change.status != "pending":
        raise InvalidTransition()
    if actor is not None and change.requested_by_id == actor.pk:
        raise SelfApprovalNotAllowed()
    return change, line


@transaction.atomic
def line_change_approve(*, actor: User | None, change_id: int, note: str = "", channel: str = "") -> CreditLine:
    """The checker's approval of a requested increase: a second person with authority for the new amounts."""
    note = text(note, "note", max_length=500)
    change, line = _pending_change(actor, change_id)
    if line.customer_id:
        customer_require_tradable(customer_id=line.customer_id)
    line = lock_lines([line.pk])[line.pk]
    if line.status not in ("active", "frozen"):
        raise InvalidTransition()
    parsed = _parse_change(line, change.line_amount, change.temp_amount, change.temp_valid_to, change.sub_limits)
    _check_authority(actor, line, parsed.line_amount, parsed.all_subs)
    line = _apply_change(actor, line, parsed, reason=change.reason, channel=channel)
    LineChange.objects.filter(pk=change.pk).update(status="approved", decided_by=actor if actor is not None
                                                   and actor.pk else None, decided_at=timezone.now(),
                                                   decision_note=note)
    audit_record(actor=actor, event_code=CreditEvent.LINE_CHANGE_APPROVED, object_type="credit_line",
                 object_id=line.pk, customer_id=line.customer_id, channel=channel, reason=note,
                 old={"status": "pending"}, new={"change": change.pk, "status": "approved"})
    return line


@transaction.atomic
def line_change_reject(*, actor: User | None, change_id: int, note: str = "", channel: str = "") -> CreditLine:
    note = text(note, "note", max_length=500)
    change, line = _pending_change(actor, change_id)
    LineChange.objects.filter(pk=change.pk).update(status="rejected", decided_by=actor if actor is not None
                                                   and actor.pk else None, decided_at=timezone.now(),
                                                   decision_note=note)
    audit_record(actor=actor, event_code=CreditEvent.LINE_CHANGE_REJECTED, object_type="credit_line",
                 object_id=line.pk, customer_id=line.customer_id, channel=channel, reason=note,
                 old={"status": "pending"}, new={"change": change.pk, "status": "rejected"})
    return line


@transaction.atomic
def line_exit(*, actor: User | None, line_id: int, reason: str, channel: str = "") -> CreditLine:
    """A real exit (R-3): the line ends and drops out of the large-credit statistics. Only an unused line."""
    reason = text(reason, "reason", max_length=500, required=True)
    line = line_for(actor, line_id, CreditPerm.APPROVE)
    line = lock_lines([line.pk])[line.pk]
    if line.outstanding_amount + line.reserved_amount > 0:
        raise Conflict(_("The line is still in use; it can exit once everything is repaid."), code="line_in_use")
    _set_status(line, "exited", actor, CreditEvent.LINE_EXITED, channel, reason=reason)
    return line


def line_expire_due(*, actor: User | None = None, today: date | None = None) -> dict[str, int]:
    """The daily job: matured lines expire (or wait as renewal pending when a renewal is in approval), and
    lapsed temporary lines shrink to what is still in use."""
    today = today or timezone.localdate()
    counts = {"expired": 0, "renewal_pending": 0, "temp_lapsed": 0}
    for pk in CreditLine.objects.filter(status__in=["active", "frozen"], valid_to__lt=today).order_by("pk") \
            .values_list("pk", flat=True):
        with transaction.atomic():
            line = lock_lines([pk])[pk]
            if line.status not in ("active", "frozen") or line.valid_to >= today:
                continue
            pending = CreditLine.objects.filter(renews=line, status="in_approval").exists()
            new = "renewal_pending" if pending else "expired"
            _set_status(line, new, actor, CreditEvent.LINE_RENEWAL_PENDING if pending else CreditEvent.LINE_EXPIRED)
            counts[new] += 1
    for pk in CreditLine.objects.filter(temp_amount__gt=0, temp_valid_to__lt=today).order_by("pk") \
            .values_list("pk", flat=True):
        with transaction.atomic():
            line = lock_lines([pk])[pk]
            new_temp = rules.temp_after_expiry(line.line_amount, line.temp_amount, line.used_amount)
            if new_temp != line.temp_amount:
                CreditLine.objects.filter(pk=pk).update(temp_amount=new_temp)
                audit_record(actor=actor, event_code=CreditEvent.TEMP_LINE_LAPSED, object_type="credit_line",
                             object_id=pk, customer_id=line.customer_id, old={"temp_amount": str(line.temp_amount)},
                             new={"temp_amount": str(new_temp)})
                counts["temp_lapsed"] += 1
    return counts




def _renewal_due_q(today: date):
    horizon = today + timedelta(days=int(get_param("bankline.expiry_warning_days", on=today)))
    renewing = CreditLine.objects.filter(renews=OuterRef("pk")).exclude(status__in=["rejected", "closed", "exited"])
    return CreditLine.objects.filter(status__in=["active", "frozen"], valid_to__gte=today, valid_to__lte=horizon) \
        .exclude(Exists(renewing))


def line_expiry_warn(*, today: date | None = None) -> int:
    """The daily job (B-8): a line expiring within ``bankline.expiry_warning_days`` with no renewal started
    warns its customer's manager once (audited with the manager, shown on the credit lines page of whoever
    sees the line until the renewal is requested)."""
    today = today or timezone.localdate()
    warned = 0
    for line in _renewal_due_q(today).filter(expiry_warned_on__isnull=True).select_related("customer", "group") \
            .order_by("pk"):
        with transaction.atomic():
            if CreditLine.objects.filter(pk=line.pk, expiry_warned_on__isnull=True).update(expiry_warned_on=today):
                manager = line.customer.manager_id if line.customer_id else None
                audit_record(actor=None, event_code=CreditEvent.LINE_EXPIRY_WARNED, object_type="credit_line",
                             object_id=line.pk, customer_id=line.customer_id,
                             new={"valid_to": line.valid_to.isoformat(), "manager": manager,
                                  "days_left": (line.valid_to - today).days})
                warned += 1
    return warned
