from django.utils.translation import gettext_lazy as _


class HelpdeskEvent:
    TICKET_OPENED = 6501
    TICKET_TRANSITION = 6502
    TICKET_WITHDRAWN = 6503
    TICKET_EXTENDED = 6504
    TICKET_REOPENED = 6505
    TICKET_PAUSED = 6506
    TICKET_RESUMED = 6507
    TICKET_ESCALATED = 6508
    TICKET_DECIDED = 6509
    ARTICLE_LINKED = 6512
    EXTENSION_REQUESTED = 6513
    EXTENSION_REFUSED = 6514
    ALLOWANCE_SIGNED = 6515  # one approver's sign-off (or rejection) of an allowance, domain spec S-12
    TICKET_APPROVED = 6510
    RECEIVABLE_REDUCED = 6511
    SLA_WARNED = 6520
    SLA_BREACHED = 6521


# The Chinese names of the events on the audit-log page (kehu.core.audit.register_events).
LABELS = {
    HelpdeskEvent.TICKET_OPENED: _("Ticket opened"),
    HelpdeskEvent.TICKET_TRANSITION: _("Ticket moved on"),
    HelpdeskEvent.TICKET_WITHDRAWN: _("Ticket withdrawn"),
    HelpdeskEvent.TICKET_EXTENDED: _("Complaint extended"),
    HelpdeskEvent.TICKET_REOPENED: _("Ticket reopened"),
    HelpdeskEvent.TICKET_PAUSED: _("Clock paused"),
    HelpdeskEvent.TICKET_RESUMED: _("Clock resumed"),
    HelpdeskEvent.TICKET_ESCALATED: _("Ticket escalated"),
    HelpdeskEvent.TICKET_DECIDED: _("Supervisor decided"),
    HelpdeskEvent.ARTICLE_LINKED: _("Knowledge article linked"),
    HelpdeskEvent.EXTENSION_REQUESTED: _("Extension requested"),
    HelpdeskEvent.EXTENSION_REFUSED: _("Extension refused"),
    HelpdeskEvent.ALLOWANCE_SIGNED: _("Allowance signed"),
    HelpdeskEvent.TICKET_APPROVED: _("Ticket approved"),
    HelpdeskEvent.RECEIVABLE_REDUCED: _("Receivable reduced"),
    HelpdeskEvent.SLA_WARNED: _("Time limit warning"),
    HelpdeskEvent.SLA_BREACHED: _("Time limit breached"),
}
