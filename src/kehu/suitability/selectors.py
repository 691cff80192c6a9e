"""Reads of the suitability module, each applying the caller's data scope (outside it: 404)."""

from __future__ import annotations

from datetime import date

from django.db import connection
from django.db.models import Count, Q
from django.db.models.functions import TruncMonth

from kehu.core.errors import NotFound, PermissionDenied
from kehu.core.params import get_param
from kehu.core.selectors import access_for
from kehu.customers.selectors import masked
from kehu.suitability import rules

from . import permissions as P
from .models import Filing, FilingStatus, InvestorProfile, Product, Subscription, SuitabilityCheck


def _require(user, perm: str):
    if user is None:
        return None
    access = access_for(user)
    if not access.has(perm):
        raise PermissionDenied()
    return access


def _scoped(qs, user, perm: str, owner_field: str | None = None):
    access = _require(user, perm)
    if access is None:
        return qs
    return qs.filter(access.scope_q(perm, org_path_field="org_path", owner_field=owner_field))


def investor_display_name(profile: InvestorProfile) -> str:
    """The investor's name as the customer archive shows it: an individual's masked (domain spec 10.4)."""

    return masked(profile.customer, "name")


def profiles_visible_to(user, perm: str = P.VIEW):
    return _scoped(InvestorProfile.objects.select_related("customer"), user, perm, "customer__manager_id")


def profile_get(*, user, profile_id: int, perm: str = P.VIEW, lock: bool = False) -> InvestorProfile:
    qs = profiles_visible_to(user, perm)
    if lock:
        qs = qs.select_for_update(of=("self",)) if _pg() else qs.select_for_update()
    found = qs.filter(pk=profile_id).first()
    if found is None:
        raise NotFound()
    return found


def _pg() -> bool:
    return connection.vendor == "postgresql"


def products_visible_to(user, perm: str = P.VIEW):
    """Products are the firm's offer: everyone with the view permission sees them; managing them is scoped."""
    if perm == P.VIEW:
        _require(user, perm)
        return Product.objects.all()
    return _scoped(Product.objects.all(), user, perm)


def product_get(*, user, product_id: int, perm: str = P.VIEW, lock: bool = False) -> Product:
    qs = products_visible_to(user, perm)
    if lock:
        qs = qs.select_for_update()
    found = qs.filter(pk=product_id).first()
    if found is None:
        raise NotFound()
    return found


def subscriptions_visible_to(user, perm: str = P.VIEW):
    return _scoped(Subscription.objects.select_related("investor__customer", "product"), user, perm,
                   "investor__customer__manager_id")


def subscription_get(*, user, subscription_id: int, perm: str = P.VIEW, lock: bool = False) -> Subscription:
    qs = subscriptions_visible_to(user, perm)
    if lock:
        qs = qs.select_for_update(of=("self",)) if _pg() else qs.select_for_update()
    found = qs.filter(pk=subscription_id).first()
    if found is None:
        raise NotFound()
    return found


def filings_visible_to(user, perm: str = P.VIEW):
    return _scoped(Filing.objects.select_related("org_unit", "product"), user, perm)


def filing_get(*, user, filing_id: int, perm: str = P.VIEW, lock: bool = False) -> Filing:
    qs = filings_visible_to(user, perm)
    if lock:
        qs = qs.select_for_update(of=("self",)) if _pg() else qs.select_for_update()
    found = qs.filter(pk=filing_id).first()
    if found is None:
        raise NotFound()
    return found


# ------------------------------------------------------------------------------------------ inbox, reports


def filing_inbox(*, user, today: date) -> list[dict]:
    """Open filings with their alert (overdue, due soon), most urgent first."""

    warn = int(get_param("am.filing_warn_days", on=today))
    rows = []
    for f in filings_visible_to(user).filter(status=FilingStatus.OPEN).order_by("due_date", "pk"):
        alert = rules.filing_alert(due=f.due_date, today=today, warn_days_before=warn)
        if alert != "ok":
            rows.append({"filing": f, "alert": alert, "days_left": (f.due_date - today).days})
    return rows


def report_mismatches(*, user) -> list[dict]:
    """Refused sales and written warnings by product and month (M-10 report, Appendix C 9)."""
    qs = _scoped(SuitabilityCheck.objects.all(), user, P.REPORT)
    qs = qs.filter(Q(allowed=False) | Q(needs_warning=True))
    rows = (qs.annotate(month=TruncMonth("checked_at")).values("product__code", "product__name", "month")
            .annotate(refused=Count("pk", filter=Q(allowed=False)), warned=Count("pk", filter=Q(needs_warning=True)))
            .order_by("-month", "product__code"))
    return [{"product": f'{r["product__code"]} {r["product__name"]}',
             "month": r["month"].strftime("%Y-%m") if r["month"] else "", "refused": r["refused"],
             "warned": r["warned"]} for r in rows]


def report_overdue_filings(*, user, today: date):
    _require(user, P.REPORT)
    return filings_visible_to(user, P.REPORT).filter(status=FilingStatus.OPEN, due_date__lt=today) \
        .order_by("due_date")


def report_backlog(*, user, now) -> list[dict]:
    """Subscriptions in cooling-off, and those whose cooling-off is over and still wait for the call-back."""
    rows = []
    for s in subscriptions_visible_to(user, P.REPORT).filter(state="cooling_off").order_by("cooling_off_end"):
        rows.append({"subscription": s, "investor": investor_display_name(s.investor),
                     "callback_due": bool(s.cooling_off_end and s.cooling_off_end <= now)})
    return rows


def capacity(*, user) -> dict:
    """Plans per portfolio manager (M-3) of the products the caller reaches."""

    plans = [(p.portfolio_manager_id, p.open) for p in products_visible_to(user, P.VIEW)]
    return rules.plans_per_manager(plans)
