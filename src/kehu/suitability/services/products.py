"""Products and their marketing material (M-6, M-8, M-9)."""

from __future__ import annotations

from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from kehu.core.audit import audit_record
from kehu.core.errors import Conflict, InvalidInput, NotFound
from kehu.core.inputs import amount as parse_amount
from kehu.core.inputs import choice, day, text
from kehu.core.models import OrgUnit, User
from kehu.core.params import get_param
from kehu.core.selectors import access_for

from .. import permissions as P
from .. import rules
from ..errors import ForbiddenPromise
from ..events import SuitabilityEvent as E
from ..models import MarketingMaterial, PlanKind, Product, ProductType, RiskLevel
from ..selectors import product_get
from ._common import local_day, now_or, qi_version, require


def _org(actor, org_code: str, perm: str) -> OrgUnit:
    org = OrgUnit.objects.filter(code=org_code, is_active=True).first()
    if org is None or (actor is not None and not access_for(actor).reaches(perm, org_path=org.path)):
        raise InvalidInput(_("Unknown org unit."), field="org_code")
    return org


@transaction.atomic
def product_create(*, actor, code: str, name: str, plan_kind: str, product_type: str, risk_level: str,
                   minimum_amount, org_code: str, max_investors: int | None = None,
                   portfolio_manager_id: int | None = None, set_up_on=None, now: datetime | None = None) -> Product:
    now = now_or(now)
    require(actor, P.PRODUCT)
    org = _org(actor, org_code, P.PRODUCT)
    plan_kind = choice(plan_kind, "plan_kind", list(PlanKind.values))
    _version, qi = qi_version(local_day(now))
    if max_investors is not None:
        try:
            max_investors = int(max_investors)
        except (TypeError, ValueError):
            raise InvalidInput(_("The investor cap must be a whole number."), field="max_investors") from None
        limit = rules.investor_cap(plan_kind=plan_kind, product_cap=None, rules=qi)
        if max_investors < 1 or (limit is not None and max_investors > limit):
            raise InvalidInput(_("The investor cap must be between 1 and %(n)d.") % {"n": limit},
                               field="max_investors", code="investor_cap_too_high")
    manager = None
    if portfolio_manager_id:
        manager = User.objects.filter(pk=portfolio_manager_id, is_active=True).first()
        if manager is None:
            raise InvalidInput(_("Unknown portfolio manager."), field="portfolio_manager_id")
    minimum = parse_amount(minimum_amount, "minimum_amount", required=True)
    if minimum <= 0:
        raise InvalidInput(_("The minimum subscription must be positive."), field="minimum_amount")
    product = Product(
        code=text(code, "code", max_length=32, required=True), name=text(name, "name", max_length=200, required=True),
        plan_kind=plan_kind, product_type=choice(product_type, "product_type", list(ProductType.values)),
        risk_level=choice(risk_level, "risk_level", list(RiskLevel.values)), minimum_amount=minimum,
        max_investors=max_investors, org_unit=org, org_path=org.path, portfolio_manager=manager,
        set_up_on=day(set_up_on, "set_up_on"))
    try:
        with transaction.atomic():
            product.save()
    except IntegrityError:
        raise Conflict(_("A product with this code exists."), code="duplicate_code") from None
    audit_record(actor=actor, event_code=E.PRODUCT_SAVED, object_type="product", object_id=product.pk,
                 new={"code": product.code, "risk": product.risk_level, "kind": plan_kind})
    return product


def marketing_check(body: str, *, on=None) -> list[str]:
    """The forbidden promises the text contains (M-6), against the managed list in force."""
    return rules.forbidden_promises(body, [str(p) for p in get_param("am.forbidden_phrases", on=on)])


@transaction.atomic
def material_attach(*, actor, product_id: int, title: str, body: str, now: datetime | None = None
                    ) -> MarketingMaterial:
    """Attach a marketing text to a product, refusing one that promises principal protection or a minimum
    return (M-6)."""
    now = now_or(now)
    product = product_get(user=actor, product_id=product_id, perm=P.PRODUCT)
    body = text(body, "body", max_length=20000, required=True)
    found = marketing_check(body, on=local_day(now))
    if found:
        error = ForbiddenPromise(_("The text promises principal protection or a minimum return: %(p)s") %
                                 {"p": "、".join(found)}, field="body")
        error.problems = found
        raise error
    material = MarketingMaterial.objects.create(product=product, title=text(title, "title", max_length=200,
                                                                               required=True),
                                                body=body, added_by=actor)
    audit_record(actor=actor, event_code=E.MATERIAL_ATTACHED, object_type="product", object_id=product.pk,
                 new={"material": material.pk, "title": material.title})
    return material


def product_by_pk(pk: int) -> Product:
    found = Product.objects.filter(pk=pk).first()
    if found is None:
        raise NotFound()
    return found
