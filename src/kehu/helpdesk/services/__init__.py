"""Writes of the helpdesk: one transaction each, the ticket row locked, an audit row beside. Import from here:
``from kehu.helpdesk import services``.

``tickets``: receipt, the moves between states, pause and resume; ``sla``: the clocks' targets, units,
checkpoints and working time used; ``extensions``: a complaint's extensions (S-6); ``approvals``: approving a
resolution or a return; ``returns``: the return's approval level and credit note (S-11); ``allowances``: an
allowance's sign-offs (S-12); ``online``: escalation, the supervisor's decision, knowledge articles."""

from kehu.helpdesk.services._base import record_change  # noqa: F401
from kehu.helpdesk.services.allowances import allowance_sign  # noqa: F401
from kehu.helpdesk.services.approvals import ticket_approve  # noqa: F401
from kehu.helpdesk.services.extensions import ticket_decide_extension, ticket_request_extension  # noqa: F401
from kehu.helpdesk.services.online import ticket_decide, ticket_escalate, ticket_link_article  # noqa: F401
from kehu.helpdesk.services.returns import holds_level, return_credit_note  # noqa: F401
from kehu.helpdesk.services.sla import (  # noqa: F401
    CLOCKS,
    clock_unit,
    clock_units,
    policy_for,
    schedule_checkpoints,
    sla_targets,
    time_used,
)
from kehu.helpdesk.services.tickets import ticket_open, ticket_pause, ticket_resume, ticket_transition  # noqa: F401
