from django.utils.translation import gettext_lazy as _


class SurveyEvent:
    """Audit codes of the satisfaction surveys (78xx)."""

    TEMPLATE_PUBLISHED = 7801
    INVITATION_SENT = 7802
    ANSWER_RECORDED = 7803
    FOLLOW_UP_OPENED = 7804


# The Chinese names of the events on the audit-log page (kehu.core.audit.register_events).
LABELS = {
    SurveyEvent.TEMPLATE_PUBLISHED: _("Survey template published"),
    SurveyEvent.INVITATION_SENT: _("Survey invitation sent"),
    SurveyEvent.ANSWER_RECORDED: _("Survey answered"),
    SurveyEvent.FOLLOW_UP_OPENED: _("Dissatisfaction case opened"),
}
