"""Online service (线上服务管理制度): the agent hands a decision to a supervisor instead of deciding alone,
the supervisor's decision, and the knowledge-base answers linked to a ticket."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from kehu.core.audit import audit_record
from kehu.core.errors import InvalidInput, InvalidTransition, SelfApprovalNotAllowed
from kehu.core.inputs import text
from kehu.core.models import User
from kehu.helpdesk import permissions as P
from kehu.helpdesk import rules
from kehu.helpdesk.events import HelpdeskEvent as E
from kehu.helpdesk.models import KnowledgeArticle, Ticket
from kehu.helpdesk.selectors import ticket_get
from kehu.helpdesk.services._base import guard_handler


@transaction.atomic
def ticket_escalate(*, actor: User, ticket_id: int, reason: str, now: datetime | None = None) -> Ticket:
    """The agent hands a decision to the supervisor instead of deciding alone (线上服务管理制度 二.2);
    until the supervisor decides, the conversation cannot be answered in full or closed."""
    now = now or timezone.now()
    ticket = ticket_get(user=actor, ticket_id=ticket_id, perm=P.HANDLE, lock=True)
    guard_handler(actor, ticket)
    reason = text(reason, "reason", max_length=500, required=True)
    if ticket.state in rules.TERMINAL or rules.awaiting_decision(ticket.escalated_at is not None,
                                                                 ticket.decided_by_id is not None):
        raise InvalidTransition(code="cannot_escalate")
    ticket.escalated_at = now
    ticket.decided_by = None
    if ticket.handler_id is None:
        ticket.handler = actor
    ticket.data = {**ticket.data, "escalation": {"by": actor.pk, "at": now.isoformat(), "reason": reason}}
    ticket.save()
    audit_record(actor=actor, event_code=E.TICKET_ESCALATED, object_type="helpdesk.ticket", object_id=ticket.pk,
                 customer_id=ticket.customer_id, reason=reason)
    return ticket


@transaction.atomic
def ticket_decide(*, actor: User, ticket_id: int, decision: str, now: datetime | None = None) -> Ticket:
    """The supervisor's decision on an escalated ticket; never by the agent who escalated it."""
    now = now or timezone.now()
    ticket = ticket_get(user=actor, ticket_id=ticket_id, perm=P.APPROVE, lock=True)
    guard_handler(actor, ticket)
    decision = text(decision, "decision", max_length=2000, required=True)
    if not rules.awaiting_decision(ticket.escalated_at is not None, ticket.decided_by_id is not None):
        raise InvalidTransition(code="not_escalated")
    if actor.pk == (ticket.data.get("escalation") or {}).get("by"):
        raise SelfApprovalNotAllowed()
    ticket.decided_by = actor
    ticket.data = {**ticket.data, "decision": {"by": actor.pk, "at": now.isoformat(), "text": decision}}
    ticket.save()
    audit_record(actor=actor, event_code=E.TICKET_DECIDED, object_type="helpdesk.ticket", object_id=ticket.pk,
                 customer_id=ticket.customer_id, new={"decision": decision})
    return ticket


@transaction.atomic
def ticket_link_article(*, actor: User, ticket_id: int, article_id: int) -> Ticket:
    """Link a knowledge-base answer to the ticket it answered (the FAQ stays the agents' shared answer)."""
    ticket = ticket_get(user=actor, ticket_id=ticket_id, perm=P.HANDLE, lock=True)
    article = KnowledgeArticle.objects.filter(pk=article_id).first()
    if article is None:
        raise InvalidInput(field="article_id", code="unknown_article")
    if not ticket.articles.filter(pk=article.pk).exists():
        ticket.articles.add(article)
        audit_record(actor=actor, event_code=E.ARTICLE_LINKED, object_type="helpdesk.ticket", object_id=ticket.pk,
                     customer_id=ticket.customer_id, new={"article": article.pk, "title": article.title})
    return ticket
