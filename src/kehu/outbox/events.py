from django.utils.translation import gettext_lazy as _


class OutboxEvent:
    """Audit codes of the outbox (75xx)."""

    MESSAGE_QUEUED = 7501
    MESSAGE_SENT = 7502
    MESSAGE_FAILED = 7503
    LINK_ISSUED = 7510
    LINK_REDEEMED = 7511


# The Chinese names of the events on the audit-log page (kehu.core.audit.register_events).
LABELS = {
    OutboxEvent.MESSAGE_QUEUED: _("Message queued"),
    OutboxEvent.MESSAGE_SENT: _("Message sent"),
    OutboxEvent.MESSAGE_FAILED: _("Message failed"),
    OutboxEvent.LINK_ISSUED: _("Signed link issued"),
    OutboxEvent.LINK_REDEEMED: _("Signed link used"),
}
