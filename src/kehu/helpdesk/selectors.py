from datetime import date
from decimal import Decimal

from django.db.models import F, Sum

from kehu.core.access import require
from kehu.core.errors import NotFound, PermissionDenied
from kehu.core.models import User
from kehu.core.money import round_money
from kehu.core.selectors import access_for
from kehu.helpdesk import permissions as P
from kehu.helpdesk.models import ReceivableReduction, Ticket, TicketStatusChange


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
    """One ticket the user reaches with ``perm`` (or any of several): 404 when no grant of the helpdesk
    reaches it (out of scope or without the module, issue 11 defect 13), 403 when the view reaches it but
    not ``perm``."""
    access = access_for(user)
    perms = (perm,) if isinstance(perm, str) else perm
    qs = Ticket.objects.select_for_update() if lock else Ticket.objects
    ticket = qs.filter(pk=ticket_id).first()
    if ticket is not None and any(access.reaches(p, org_path=ticket.org_path, owner_id=ticket.owner_id)
                                  for p in perms):
        return ticket
    require(user, perms[0], view=P.VIEW, org_path=ticket.org_path if ticket else None,
            owner_id=ticket.owner_id if ticket else None)
    raise NotFound()  # pragma: no cover - require raised: perms[0] does not reach the ticket


def ticket_history(ticket: Ticket):
    """The state changes of ``ticket``, oldest first, with their actors. ``ticket`` comes from ``ticket_get``,
    which checked the reader's scope: the history is read with the ticket, never on its own."""
    return TicketStatusChange.objects.filter(ticket=ticket).select_related("actor").order_by("id")


def is_higher_level_supervisor(user: User, org_path: str) -> bool:
    """Whether ``user`` is a service supervisor of an org unit above ``org_path`` (the head office is above
    every branch): who decides a complaint's second extension (S-6)."""
    return any(g.role == "service_supervisor" and org_path.startswith(g.org_path) and g.org_path != org_path
               for g in access_for(user).grants)
