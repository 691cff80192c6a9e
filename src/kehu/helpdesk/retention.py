"""Complaint files (domain spec 10.6: ≥ 3 y after closure) and the hold an open complaint puts on the
person's records (PI-9); registered from HelpdeskConfig.ready()."""

from __future__ import annotations

from datetime import date, datetime

from django.utils.translation import gettext_lazy as _

from kehu.core.retention import (
    ANONYMISE,
    DataClass,
    HoldRule,
    SubjectSection,
    register_data_class,
    register_hold_rule,
    register_subject_section,
    when,
)
from kehu.helpdesk.models import Ticket, TicketStatusChange

# a complaint in one of these states is finished; any other state is open
FINISHED = ("closed", "withdrawn", "rejected")
ERASED_SUBJECT = "（已匿名）"


def _expired(cutoff: datetime):
    return Ticket.objects.filter(kind="complaint", state__in=FINISHED, closed_at__lte=cutoff,
                                 pi_erased_at__isnull=True)


def _apply(queryset, action: str, now: datetime) -> int:
    # What the customer said, the contract reference and the free-form details go; the category, root
    # cause, product, amounts and dates stay for the statistics (they say nothing of the person). The
    # reasons typed at each state change go too (free text, as the extension notices in ``data``); the
    # steps themselves, who made them and when, stay. The history first: the tickets' own update takes
    # them out of ``queryset`` (pi_erased_at is set).
    TicketStatusChange.objects.filter(ticket_id__in=queryset.values("pk")).exclude(note="").update(note="")
    return queryset.update(subject=ERASED_SUBJECT, description="", contract="", data={}, pi_erased_at=now)


def _open_complaints(today: date):
    return Ticket.objects.filter(kind="complaint").exclude(state__in=FINISHED).values("customer_id")



def _subject_tickets(customer_id: int) -> list[dict]:
    """The person's complaints, returns, allowances and online enquiries, with what they said (PIPL Art.45)."""
    return [{"编号": t.pk, "类型": t.get_kind_display(), "主题": t.subject, "客户陈述": t.description,
             "类别": t.category, "产品": t.product, "合同": t.contract, "渠道": t.get_channel_display(),
             "状态": t.get_state_display(), "金额": str(t.amount) if t.amount is not None else None,
             "受理时间": when(t.received_at), "办结时间": when(t.closed_at)}
            for t in Ticket.objects.filter(customer_id=customer_id).order_by("pk")]


def register() -> None:
    register_data_class(DataClass(
        code="complaint_file", label=_("Complaint files"), app="helpdesk", level="rows", default_days=1095,
        default_action=ANONYMISE, basis="domain spec 10.6 [PROPOSED]: ≥ 3 y after closure",
        expired=_expired, apply=_apply, customer_field="customer_id", clock=_("closure of the complaint"),
        order=40))
    register_hold_rule(HoldRule(code="complaint", label=_("Open complaint"), app="helpdesk",
                                customers=_open_complaints))
    register_subject_section(SubjectSection(code="tickets", title="服务工单", app="helpdesk", rows=_subject_tickets,
                                            order=40))
