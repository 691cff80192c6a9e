from datetime import date
from decimal import Decimal

from django.db.models import F, Sum

from kehu.core.errors import NotFound, PermissionDenied
from kehu.core.money import round_money
from kehu.core.selectors import access_for

from . import permissions as P
from .models import ReceivableReduction, Ticket


def receivable_reductions(customer_id: int, until: date) -> Decimal:
    """Total approved allowances and credit notes for a customer, effective on or before ``until``."""
    total = ReceivableReduction.objects.filter(customer_id=customer_id, effective_date__lte=until).aggregate(
        s=Sum("reduction_amount"))["s"]
    return round_money(total or Decimal("0"))


def ticket_list(*, user, state: str | None = None, sort: str = ""):
    """The tickets the user may see, newest first; ``sort="due"``: the soonest resolution due first
    (tickets without one last)."""
    access = access_for(user)
    if not access.has(P.VIEW):
        raise PermissionDenied()
    qs = Ticket.objects.filter(access.scope_q(P.VIEW, org_path_field="org_path", owner_field="owner_id"))
    if state:
        qs = qs.filter(state=state)
    qs = qs.select_related("customer")
    if sort == "due":
        return qs.order_by(F("resolution_due").asc(nulls_last=True), "pk")
    return qs.order_by("-pk")


def ticket_get(*, user, ticket_id: int, perm: str | tuple[str, ...] = P.VIEW, lock: bool = False) -> Ticket:
    """One ticket the user reaches with ``perm`` (or any of several): 403 without the permission at all,
    404 outside its scope."""
    access = access_for(user)
    perms = (perm,) if isinstance(perm, str) else perm
    if not any(access.has(p) for p in perms):
        raise PermissionDenied()
    qs = Ticket.objects.select_for_update() if lock else Ticket.objects
    ticket = qs.filter(pk=ticket_id).first()
    if ticket is None or not any(access.reaches(p, org_path=ticket.org_path, owner_id=ticket.owner_id)
                                 for p in perms):
        raise NotFound()
    return ticket
