from django.utils.translation import gettext_lazy as _


class ReceptionEvent:
    """Audit codes of the reception (77xx)."""

    VISIT_BOOKED = 7701
    VISIT_APPROVED = 7702
    VISIT_TRANSITION = 7703
    VISIT_CHECKLIST = 7704
    VISIT_NOTES = 7705
    VISITS_PURGED = 7706
    SAFETY_CHECK_RECORDED = 7710
    SAFETY_CHECK_OVERDUE = 7711
    SAFETY_ITEM_CREATED = 7712


# The Chinese names of the events on the audit-log page (kehu.core.audit.register_events).
LABELS = {
    ReceptionEvent.VISIT_BOOKED: _("Visit booked"),
    ReceptionEvent.VISIT_APPROVED: _("Visit approved"),
    ReceptionEvent.VISIT_TRANSITION: _("Visit status changed"),
    ReceptionEvent.VISIT_CHECKLIST: _("VIP checklist ticked"),
    ReceptionEvent.VISIT_NOTES: _("Meeting notes recorded"),
    ReceptionEvent.VISITS_PURGED: _("Visitor registrations erased"),
    ReceptionEvent.SAFETY_CHECK_RECORDED: _("Safety check recorded"),
    ReceptionEvent.SAFETY_CHECK_OVERDUE: _("Safety check overdue"),
    ReceptionEvent.SAFETY_ITEM_CREATED: _("Safety check item created"),
}
