from django.utils.translation import gettext_lazy as _


class StaffEvent:
    """Audit codes of the staff assessment (79xx)."""

    SELF_ASSESSED = 7901
    MANAGER_MARKED = 7902
    SCORECARDS_COMPUTED = 7903
    INTERVIEW_RECORDED = 7904
    NOTICE_PUBLISHED = 7905


# The Chinese names of the events on the audit-log page (kehu.core.audit.register_events).
LABELS = {
    StaffEvent.SELF_ASSESSED: _("Self-assessment recorded"),
    StaffEvent.MANAGER_MARKED: _("Manager's marks recorded"),
    StaffEvent.SCORECARDS_COMPUTED: _("Scorecards computed"),
    StaffEvent.INTERVIEW_RECORDED: _("Improvement interview recorded"),
    StaffEvent.NOTICE_PUBLISHED: _("Assessment notice published"),
}
