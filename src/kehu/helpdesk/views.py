from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as HttpForbidden
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from kehu.core import calendar as cr
from kehu.core.errors import DomainError, InvalidInput, NotFound
from kehu.core.errors import PermissionDenied as DomainPermissionDenied
from kehu.core.models import Role, User
from kehu.core.params import get_param
from kehu.core.rules import mask
from kehu.core.selectors import access_for, calendar_for
from kehu.customers.models import Customer
from kehu.customers.selectors import PERSONAL_FIELDS_BY_KIND, masked
from kehu.customers.widgets import CustomerPicker
from kehu.helpdesk import allowance, rules, selectors, services
from kehu.helpdesk import analysis as an
from kehu.helpdesk import permissions as P
from kehu.helpdesk.models import Channel, ComplaintCategory, Disposition, Kind, Priority, SlaUnit, State
from kehu.helpdesk.services import clock_unit


@login_required
def ticket_list(request):
    sort = "due" if request.GET.get("sort") == "due" else ""
    try:
        tickets = list(selectors.ticket_list(user=request.user, state=request.GET.get("state") or None,
                                             sort=sort)[:200])
    except DomainPermissionDenied as exc:
        raise HttpForbidden() from exc
    now = timezone.now()
    warn = _first_warn_fraction()
    calendars: dict[str, cr.BusinessCalendar] = {}
    for ticket in tickets:
        if ticket.org_path not in calendars:
            calendars[ticket.org_path] = calendar_for(ticket.org_path)
        ticket.clock = due_clock(ticket, now, calendars[ticket.org_path], warn)
    return render(request, "helpdesk/ticket_list.html", {"tickets": tickets, "sort": sort})


def _first_warn_fraction():
    fractions = sorted(Decimal(str(f)) for f in get_param("service.sla_warn_fractions"))
    return fractions[0] if fractions else Decimal("1")


def due_clock(ticket, now, cal, warn_fraction) -> dict | None:
    """The live state of an open ticket's resolution clock: seconds left (negative when overdue), whether
    the clock runs now (a working-time clock stands still outside working hours, so the page's countdown
    stops too), and the status "overdue", "near" or "ok" (rules.due_status). None for a closed or paused
    ticket or one without a due time."""
    if not ticket.resolution_due or ticket.paused_at or ticket.closed_at or ticket.state in rules.TERMINAL:
        return None
    unit = clock_unit(ticket)
    left = cr.remaining(now, ticket.resolution_due, cal, unit=unit)
    later = cr.remaining(now + timedelta(minutes=1), ticket.resolution_due, cal, unit=unit)
    total = cr.remaining(ticket.received_at, ticket.resolution_due, cal, unit=unit)
    return {"seconds": int(left.total_seconds()), "running": later != left,
            "status": rules.due_status(remaining=left, total=total, warn_fraction=warn_fraction)}


# Buttons say what the user does; the state labels say where the ticket is (已结案 is a state, 结案 the act).
ACTION_LABELS = {
    "acknowledged": pgettext_lazy("ticket action", "Acknowledge"),
    "investigating": pgettext_lazy("ticket action", "Investigate"),
    "extended_30": pgettext_lazy("ticket action", "Extend by 30 days"),
    "resolution_proposed": pgettext_lazy("ticket action", "Propose resolution"),
    "communicated": pgettext_lazy("ticket action", "Tell the customer"),
    "closed": pgettext_lazy("ticket action", "Close"),
    "reopened": pgettext_lazy("ticket action", "Reopen"),
    "goods_received": pgettext_lazy("ticket action", "Goods received"),
    "inspected": pgettext_lazy("ticket action", "Inspect"),
    "dispositioned": pgettext_lazy("ticket action", "Decide disposition"),
}

# Headings of the monthly analysis, one per dimension of ``analysis.DIMENSIONS``.
DIMENSION_LABELS = {
    "category": _("Category"),
    "root_cause": _("Root cause"),
    "product": pgettext_lazy("goods", "Product"),
    "customer": _("Customer"),
    "grade": _("Customer grade"),
}


@login_required
def ticket_detail(request, ticket_id: int):
    try:
        ticket = selectors.ticket_get(user=request.user, ticket_id=ticket_id)
    except DomainPermissionDenied as exc:
        raise HttpForbidden() from exc
    except NotFound as exc:
        raise Http404() from exc
    clock = due_clock(ticket, timezone.now(), calendar_for(ticket.org_path), _first_warn_fraction())
    sla = None
    if (ticket.data.get("sla") or {}).get("resolution"):
        label = dict(SlaUnit.choices)
        f, r = ticket.data["sla"]["first_response"], ticket.data["sla"]["resolution"]
        sla = {"first": (f[0], label.get(f[1], f[1])), "resolution": (r[0], label.get(r[1], r[1]))}
    table = rules.transitions_for(ticket.kind)
    via_approval = {"approved", "authorised", "rejected", "credited"}
    actions = [s for s in table.get(ticket.state, ()) if s not in via_approval | {"extended_60"}]
    if ticket.kind == "return" and ticket.state == "dispositioned" and ticket.disposition == "refund":
        actions = [a for a in actions if a != "closed"]
    approval = allowance_context(ticket, request.user) if ticket.kind == "allowance" else None
    can_approve = ticket.state in ("resolution_proposed", "received") and ticket.kind != "complaint" \
        or ticket.state == "resolution_proposed"
    return render(request, "helpdesk/ticket_detail.html", {
        "ticket": ticket, "sla": sla, "dispositions": Disposition.choices, "approval": approval,
        "awaiting_decision": rules.awaiting_decision(ticket.escalated_at is not None, ticket.decided_by_id is not None),
        "can_escalate": ticket.kind in ("online", "enquiry") and ticket.state not in rules.TERMINAL
        and not rules.awaiting_decision(ticket.escalated_at is not None, ticket.decided_by_id is not None),
        "linked_articles": list(ticket.articles.order_by("title")),
        "kb_query": request.GET.get("kb", "")[:200],
        "kb_results": an.knowledge_search(request.GET.get("kb", "")[:200], limit=10),
        "needs_disposition": "dispositioned" in actions,
        "time_used": cr.format_duration(services.time_used(ticket)),
        "extension_request": ticket.data.get("extension_request"),
        "notices": extension_notices(ticket),
        "can_request_extension": rules.can_transition(ticket.kind, ticket.state, "extended_60")
        and not ticket.data.get("extension_request"),
        "can_credit": ticket.kind == "return" and ticket.state == "dispositioned" and ticket.disposition == "refund",
        "clock": clock,
        "history": list(selectors.ticket_history(ticket)),
        "actions": [(a, ACTION_LABELS.get(a, State(a).label)) for a in sorted(actions)],
        # an allowance is signed per role (S-12): its buttons come with the approval section
        "can_approve": can_approve and ticket.kind != "allowance"})


def extension_notices(ticket) -> list[dict]:
    """The extension notices with their date in the business time zone (older notices kept only the UTC
    moment)."""
    return [{**n, "date": n.get("date") or timezone.localtime(datetime.fromisoformat(n["at"]), cr.SHANGHAI).date()
             .isoformat()} for n in ticket.data.get("notices", [])]
def _masked_customer_rows(rows):
    """The customer dimension of the analysis with individuals' names masked, in the table and the chart,
    as the archive masks them."""
    personal_kinds = [kind for kind, fields in PERSONAL_FIELDS_BY_KIND.items() if "name" in fields]
    people = set(Customer.objects.filter(name__in=[name for name, _n in rows], kind__in=personal_kinds)
                 .values_list("name", flat=True))
    return [(mask("name", name) if name in people else name, n) for name, n in rows]


def allowance_context(ticket, user) -> dict:
    """What the ticket page shows of an allowance's approval (domain spec S-12): the band, the share of the
    invoice, each required role with the sign-off given for it, and the roles the user may sign now (the
    approve and reject buttons appear only for those)."""
    approval = allowance.allowance_approval(ticket)
    labels = dict(Role.choices)
    decisions = {"approved": State.APPROVED.label, "rejected": State.REJECTED.label}
    # people by their name, not their login
    people = {u.pk: str(u) for u in User.objects.filter(pk__in=[s["user"] for s in approval["sign_offs"]])}
    given = [{**s, "role_label": labels.get(s["role"], s["role"]), "decision_label": decisions.get(s["decision"]),
              "name": people.get(s["user"], s.get("username", "")),
              "at": timezone.localtime(datetime.fromisoformat(s["at"]))} for s in approval["sign_offs"]]
    by_role = {s["role"]: s for s in given}
    invoice = Decimal(ticket.data["invoice_amount"]) if ticket.data.get("invoice_amount") else None
    share = (ticket.amount * 100 / invoice).quantize(Decimal("0.01"), ROUND_HALF_UP) \
        if invoice and ticket.amount is not None else None
    outstanding = rules.allowance_outstanding(approval["required"], list(by_role))
    return {"band": approval["band"], "invoice_amount": invoice, "share": share,
            "evidence": ticket.data.get("evidence_document", ""),
            "required": [{"role": r, "label": labels.get(r, r), "sign_off": by_role.get(r),
                          "waiting": ticket.state == "received" and r in outstanding} for r in approval["required"]],
            "sign_offs": given,
            "signable": [(r, labels.get(r, r)) for r in allowance.signable_roles(user, ticket)]}


@login_required
def analysis(request):
    try:
        qs = selectors.ticket_list(user=request.user)
    except DomainPermissionDenied as exc:
        raise HttpForbidden() from exc
    try:
        month = date.fromisoformat((request.GET.get("month") or "") + "-01") if request.GET.get("month") else \
            timezone.localdate().replace(day=1)
    except ValueError as exc:
        raise Http404() from exc
    sections = []
    for dim in an.DIMENSIONS:
        rows = an.monthly_breakdown(qs, month=month, dimension=dim)
        if dim == "customer":
            rows = _masked_customer_rows(rows)
        label = str(DIMENSION_LABELS.get(dim, dim))
        sections.append({"dimension": dim, "label": label, "rows": rows,
                         "svg": mark_safe(an.bar_chart_svg(rows, label)) if rows else ""})  # noqa: S308 - our own SVG
    now = timezone.now()
    repeat_days = int(get_param("service.repeat_complaint_window_days", on=timezone.localdate(now)))
    repeat_threshold = int(get_param("service.repeat_complaint_threshold", on=timezone.localdate(now)))
    repeats = an.repeat_complaints(qs, window_days=repeat_days, threshold=repeat_threshold, on=now)
    names = {c.pk: masked(c, "name") for c in Customer.objects.filter(pk__in=[cid for cid, _cat, _n in repeats])}
    repeats = [(cid, names.get(cid, cid), cat, n) for cid, cat, n in repeats]
    return render(request, "helpdesk/analysis.html", {"month": month, "sections": sections, "repeats": repeats,
                                                      "repeat_days": repeat_days, "repeat_threshold": repeat_threshold})


@login_required
def knowledge(request):
    try:
        selectors.ticket_list(user=request.user)
    except DomainPermissionDenied as exc:
        raise HttpForbidden() from exc
    query = request.GET.get("q", "")[:200]
    return render(request, "helpdesk/knowledge.html", {"q": query, "articles": an.knowledge_search(query)})


@login_required
def ticket_action(request, ticket_id: int):
    if request.method != "POST":
        raise Http404()
    action = request.POST.get("action", "")
    reason = request.POST.get("reason", "")[:500]
    try:
        if action == "approve":
            services.ticket_approve(actor=request.user, ticket_id=ticket_id, reason=reason)
        elif action.startswith("sign:"):  # an allowance sign-off in the role named (S-12)
            services.ticket_approve(actor=request.user, ticket_id=ticket_id, reason=reason, role=action[5:32])
        elif action == "reject":
            services.ticket_approve(actor=request.user, ticket_id=ticket_id, approve=False, reason=reason)
        elif action == "pause":
            services.ticket_pause(actor=request.user, ticket_id=ticket_id, reason=reason)
        elif action == "request_extension":
            services.ticket_request_extension(actor=request.user, ticket_id=ticket_id, reason=reason)
        elif action in ("approve_extension", "refuse_extension"):
            services.ticket_decide_extension(actor=request.user, ticket_id=ticket_id,
                                             approve=action == "approve_extension", reason=reason)
        elif action == "escalate":
            services.ticket_escalate(actor=request.user, ticket_id=ticket_id, reason=reason)
        elif action == "decide":
            services.ticket_decide(actor=request.user, ticket_id=ticket_id, decision=reason)
        elif action == "link_article":
            try:
                article_id = int(request.POST.get("article_id", ""))
            except ValueError:
                article_id = 0
            services.ticket_link_article(actor=request.user, ticket_id=ticket_id, article_id=article_id)
        elif action == "credit_note":
            services.return_credit_note(actor=request.user, ticket_id=ticket_id, reason=reason)
        elif action == "resume":
            services.ticket_resume(actor=request.user, ticket_id=ticket_id)
        else:
            services.ticket_transition(actor=request.user, ticket_id=ticket_id, to=action, reason=reason,
                                       disposition=request.POST.get("disposition", "")[:16])
        messages.success(request, gettext("Saved."))
    except NotFound as exc:
        raise Http404() from exc
    except DomainError as exc:
        messages.error(request, str(getattr(exc, "message", exc)))
    return redirect("helpdesk:ticket_detail", ticket_id=ticket_id)


FORM_FIELDS = ("kind", "channel", "priority", "customer_id", "subject", "description", "category", "root_cause",
               "product", "contract", "team", "amount", "invoice_amount", "evidence_document")


@login_required
def ticket_create(request):
    """Phone entry (and any other channel): the agent picks the customer by search-as-you-type, which
    asks the customer-picker API for at most ten matches, and records the ticket."""
    if not access_for(request.user).has(P.HANDLE):
        raise HttpForbidden()
    values = {"kind": Kind.COMPLAINT, "channel": Channel.PHONE, "priority": Priority.NORMAL}
    error, status, customer_label = "", 200, ""
    if request.method == "POST":
        values = {f: request.POST.get(f, "").strip()[:5000] for f in FORM_FIELDS}
        customer_label = request.POST.get("customer_label", "")[:200]
        try:
            try:
                customer_id = int(values["customer_id"])
            except ValueError:
                raise InvalidInput(gettext("Choose a customer from the list."), field="customer_id") from None
            subject_user_id = None
            if request.POST.get("subject_username", "").strip():
                staff = User.objects.filter(username=request.POST["subject_username"].strip()).first()
                if staff is None:
                    raise InvalidInput(gettext("No staff member with that user name."), field="subject_username")
                subject_user_id = staff.pk
            ticket = services.ticket_open(
                actor=request.user, customer_id=customer_id, kind=values["kind"], subject=values["subject"],
                description=values["description"], category=values["category"], root_cause=values["root_cause"],
                product=values["product"], contract=values["contract"], channel=values["channel"],
                priority=values["priority"], team=values["team"], amount=values["amount"] or None,
                invoice_amount=values["invoice_amount"] or None, evidence_document=values["evidence_document"],
                financial_consumer=request.POST.get("financial_consumer") == "on", subject_user_id=subject_user_id)
            return redirect("helpdesk:ticket_detail", ticket_id=ticket.pk)
        except NotFound:
            error, status = gettext("Choose a customer from the list."), 400
        except DomainError as exc:
            error, status = str(getattr(exc, "message", exc)), 400
            field = getattr(exc, "field", None)
            if field:
                error = f"{error} ({field})"
    # the one customer picker of every form, asking the helpdesk's picker (scoped by helpdesk.handle)
    picker = CustomerPicker(url_name="api:customer_picker").render("customer_id", values.get("customer_id"),
                                                                   attrs={"id": "id_customer_id"})
    categories = list(ComplaintCategory.objects.filter(active=True).values_list("name", flat=True))
    return render(request, "helpdesk/ticket_create.html", {
        "categories": categories, "values": values, "error": error, "customer_label": customer_label,
        "kinds": Kind.choices, "customer_picker": picker,
        "channels": Channel.choices, "priorities": Priority.choices,
        "financial_consumer": request.POST.get("financial_consumer") == "on"}, status=status)
