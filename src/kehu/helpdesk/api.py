"""REST API of the helpdesk. Thin: parse, call one service, present."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from ninja import Query, Router, Schema, Status
from pydantic import ConfigDict, Field

from kehu.core.api_auth import BearerAuth, SessionAuth
from kehu.core.errors import PermissionDenied
from kehu.core.selectors import access_for
from kehu.customers import selectors as customer_selectors
from kehu.helpdesk import allowance, analysis, rules, selectors, services
from kehu.helpdesk import permissions as P
from kehu.helpdesk.models import Ticket

router = Router(tags=["helpdesk"])


class TicketIn(Schema):
    model_config = ConfigDict(extra="forbid")
    customer_id: int
    kind: str
    subject: str
    description: str = ""
    category: str = ""
    product: str = ""
    subject_user_id: int | None = None
    amount: str | None = None
    invoice_amount: str | None = None
    evidence_document: str = ""
    financial_consumer: bool = False
    contract: str = ""
    channel: str = "phone"
    priority: str = "normal"
    team: str = ""
    root_cause: str = ""


class TransitionIn(Schema):
    model_config = ConfigDict(extra="forbid")
    to: str
    reason: str = Field("", max_length=500)
    disposition: str = Field("", max_length=16)


class ApproveIn(Schema):
    model_config = ConfigDict(extra="forbid")
    approve: bool = True
    reason: str = Field("", max_length=500)


class SignIn(ApproveIn):
    """An approval; on an allowance, ``role`` picks the role to sign in when the caller holds several."""

    role: str = Field("", max_length=32)


class PauseIn(Schema):
    model_config = ConfigDict(extra="forbid")
    reason: str


class SignOffOut(Schema):
    user_id: int
    username: str
    role: str
    decision: str
    at: datetime
    reason: str


class AllowanceOut(Schema):
    """Domain spec S-12: the band, the roles that must sign, the sign-offs given and what the caller may
    sign now."""

    band: int
    invoice_amount: Decimal | None
    required: list[str]
    sign_offs: list[SignOffOut]
    outstanding: list[str]
    can_sign: list[str]


class TicketOut(Schema):
    id: int
    kind: str
    customer_id: int
    state: str
    subject: str
    disposition: str
    channel: str
    priority: str
    sla_policy_id: int | None
    amount: Decimal | None
    currency: str
    received_at: datetime
    first_response_due: datetime | None
    resolution_due: datetime | None
    regulatory_due: datetime | None
    paused_at: datetime | None
    escalated_at: datetime | None
    decided_by_id: int | None
    breached: bool
    working_time_used_seconds: int
    allowance: AllowanceOut | None


class TicketStatusChangeOut(Schema):
    from_status: str
    to_status: str
    actor: str | None  # the staff member's user name; null when the system made the change
    note: str
    ts: datetime


class TicketDetail(TicketOut):
    """One ticket with its status history (oldest first); the list and the write endpoints leave it out."""

    history: list[TicketStatusChangeOut]


class TicketPage(Schema):
    items: list[TicketOut]
    next_before: int | None


class ReductionOut(Schema):
    customer_id: int
    until: date
    reduction_amount: Decimal


def allowance_out(t: Ticket, user) -> dict | None:
    if t.kind != "allowance":
        return None
    approval = allowance.allowance_approval(t)
    given = approval["sign_offs"]
    return {"band": approval["band"], "invoice_amount": t.data.get("invoice_amount"), "required": approval["required"],
            "sign_offs": [{"user_id": s["user"], "username": s["username"], "role": s["role"],
                           "decision": s["decision"], "at": s["at"], "reason": s.get("reason", "")} for s in given],
            "outstanding": rules.allowance_outstanding(approval["required"], [s["role"] for s in given])
            if t.state == "received" else [],
            "can_sign": allowance.signable_roles(user, t) if user is not None else []}


def out(t: Ticket, calendars: dict | None = None, user=None) -> dict:
    skip = {"id", "working_time_used_seconds", "allowance"}
    return {f: getattr(t, f) for f in TicketOut.model_fields if f not in skip} | {
        "id": t.pk, "working_time_used_seconds": int(services.time_used(t, calendars=calendars).total_seconds()),
        "allowance": allowance_out(t, user)}


@router.get("/helpdesk/tickets", response=TicketPage, summary="Tickets in scope, newest first (keyset pagination)")
def ticket_list(request, state: str | None = None, before: int | None = Query(None), limit: int = Query(50, ge=1, le=200)):
    qs = selectors.ticket_list(user=request.auth, state=state)
    if before:
        qs = qs.filter(pk__lt=before)
    items = list(qs[:limit + 1])
    more = len(items) > limit
    items = items[:limit]
    calendars: dict = {}
    return {"items": [out(t, calendars, request.auth) for t in items], "next_before": items[-1].pk if more else None}


@router.post("/helpdesk/tickets", response={201: TicketOut}, summary="Open a ticket")
def ticket_open(request, payload: TicketIn):
    return Status(201, out(services.ticket_open(actor=request.auth, **payload.model_dump()), user=request.auth))


def history_out(ticket: Ticket) -> list[dict]:
    return [{"from_status": h.from_status, "to_status": h.to_status,
             "actor": h.actor.get_username() if h.actor_id else None, "note": h.note, "ts": h.ts}
            for h in selectors.ticket_history(ticket)]


@router.get("/helpdesk/tickets/{ticket_id}", response=TicketDetail, summary="One ticket with its status history")
def ticket_detail(request, ticket_id: int):
    ticket = selectors.ticket_get(user=request.auth, ticket_id=ticket_id)
    return out(ticket, user=request.auth) | {"history": history_out(ticket)}


@router.post("/helpdesk/tickets/{ticket_id}/transition", response=TicketOut, summary="Move a ticket to another state")
def ticket_transition(request, ticket_id: int, payload: TransitionIn):
    return out(services.ticket_transition(actor=request.auth, ticket_id=ticket_id, **payload.model_dump()),
               user=request.auth)


@router.post("/helpdesk/tickets/{ticket_id}/approve", response=TicketOut, summary="Approve or reject a resolution or return; sign (or reject) an allowance")
def ticket_approve(request, ticket_id: int, payload: SignIn):
    return out(services.ticket_approve(actor=request.auth, ticket_id=ticket_id, **payload.model_dump()),
               user=request.auth)


@router.post("/helpdesk/tickets/{ticket_id}/credit-note", response=TicketOut,
             summary="Issue the credit note of a refunded return (reduces receivables)")
def return_credit_note(request, ticket_id: int, payload: ApproveIn):
    return out(services.return_credit_note(actor=request.auth, ticket_id=ticket_id, reason=payload.reason),
               user=request.auth)


class EscalateIn(Schema):
    model_config = ConfigDict(extra="forbid")
    reason: str = Field(..., max_length=500)


class DecideIn(Schema):
    model_config = ConfigDict(extra="forbid")
    decision: str = Field(..., max_length=2000)


class LinkIn(Schema):
    model_config = ConfigDict(extra="forbid")
    article_id: int


class ArticleOut(Schema):
    id: int
    title: str
    body: str
    tags: str


@router.post("/helpdesk/tickets/{ticket_id}/escalate", response=TicketOut,
             summary="Hand the decision to a supervisor (online service: no unilateral decisions)")
def ticket_escalate(request, ticket_id: int, payload: EscalateIn):
    return out(services.ticket_escalate(actor=request.auth, ticket_id=ticket_id, reason=payload.reason),
               user=request.auth)


@router.post("/helpdesk/tickets/{ticket_id}/decide", response=TicketOut, summary="Supervisor's decision on an escalation")
def ticket_decide(request, ticket_id: int, payload: DecideIn):
    return out(services.ticket_decide(actor=request.auth, ticket_id=ticket_id, decision=payload.decision),
               user=request.auth)


@router.post("/helpdesk/tickets/{ticket_id}/articles", response=TicketOut, summary="Link a knowledge article")
def ticket_link_article(request, ticket_id: int, payload: LinkIn):
    return out(services.ticket_link_article(actor=request.auth, ticket_id=ticket_id, article_id=payload.article_id),
               user=request.auth)


@router.get("/helpdesk/knowledge", response=list[ArticleOut], summary="Search the knowledge base")
def knowledge_search(request, q: str = Query("", max_length=200)):
    if not access_for(request.auth).has(P.VIEW):
        raise PermissionDenied()
    return [{"id": a.pk, "title": a.title, "body": a.body, "tags": a.tags} for a in analysis.knowledge_search(q)]


@router.post("/helpdesk/tickets/{ticket_id}/extension-request", response=TicketOut,
             summary="Ask for the second 30-day extension of a complaint (needs a higher level's approval)")
def extension_request(request, ticket_id: int, payload: EscalateIn):
    return out(services.ticket_request_extension(actor=request.auth, ticket_id=ticket_id, reason=payload.reason),
               user=request.auth)


@router.post("/helpdesk/tickets/{ticket_id}/extension-decision", response=TicketOut,
             summary="Approve or refuse a requested extension")
def extension_decision(request, ticket_id: int, payload: ApproveIn):
    return out(services.ticket_decide_extension(actor=request.auth, ticket_id=ticket_id, **payload.model_dump()),
               user=request.auth)


@router.post("/helpdesk/tickets/{ticket_id}/pause", response=TicketOut, summary="Stop the clock")
def ticket_pause(request, ticket_id: int, payload: PauseIn):
    return out(services.ticket_pause(actor=request.auth, ticket_id=ticket_id, reason=payload.reason),
               user=request.auth)


@router.post("/helpdesk/tickets/{ticket_id}/resume", response=TicketOut, summary="Restart the clock")
def ticket_resume(request, ticket_id: int):
    return out(services.ticket_resume(actor=request.auth, ticket_id=ticket_id),
               user=request.auth)


class HelpdeskPickerItem(Schema):
    id: int
    name: str
    uscc: str
    grade: str
    org_unit: str


class PickerOut(Schema):
    items: list[HelpdeskPickerItem]


@router.get("/helpdesk/customer-picker", response=PickerOut, auth=[SessionAuth(), BearerAuth()],
            url_name="customer_picker",
            summary="Customers for the ticket form's search-as-you-type picker (same search as GET /customers)")
def customer_picker(request, q: str = Query("", max_length=100), limit: int = Query(10, ge=1, le=20)):
    """Read-only, so the staff web session may call it from the page (GET carries no CSRF risk). The
    search is the customer module's own (name, pinyin, initials, credit code; scope applied), cut at a
    small limit so the page stays fast with a million customers."""
    access = access_for(request.auth)
    if not access.has(P.HANDLE):
        raise PermissionDenied()
    if len(q.strip()) < 1:
        return {"items": []}
    # The customer module's text search, scoped by the helpdesk's own permission: service agents handle
    # the customers of their org unit without holding the customer-archive role.
    rows, _more = customer_selectors.customer_search_page(
        user=None, q=q.strip(), limit=limit,
        scope=access.scope_q(P.HANDLE, org_path_field="org_path", owner_field="manager_id"))
    return {"items": [{"id": c.pk, "name": customer_selectors.masked(c, "name"), "uscc": c.uscc or "",
                       "grade": c.grade or "", "org_unit": c.org_unit.code} for c in rows]}


@router.get("/helpdesk/customers/{customer_id}/receivable-reductions", response=ReductionOut,
            summary="Approved allowances and credit notes up to a date")
def reductions(request, customer_id: int, until: date):
    customer_selectors.customer_get(user=request.auth, customer_id=customer_id, perm=P.VIEW)
    return {"customer_id": customer_id, "until": until,
            "reduction_amount": selectors.receivable_reductions(customer_id, until=until)}
