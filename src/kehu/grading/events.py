"""Audit event codes of customer grading (46xx). Never renumber."""

from django.utils.translation import gettext_lazy as _


class GradingEvent:
    POLICY_CREATED = 4601
    POLICY_APPROVED = 4602
    RUN_STARTED = 4610
    RUN_CLOSED = 4611
    RUN_REOPENED = 4612
    GRADES_WRITTEN = 4613
    OVERRIDE_REQUESTED = 4620
    OVERRIDE_APPROVED = 4621
    OVERRIDE_REJECTED = 4622
    EVENT_RECORDED = 4630
    STATEMENT_RECORDED = 4631  # a yearly financial statement entered or corrected
    EXIT_REVIEW_OPENED = 4640


# The Chinese names of the events on the audit-log page (kehu.core.audit.register_events).
LABELS = {
    GradingEvent.STATEMENT_RECORDED: _("Financial statement recorded"),
    GradingEvent.POLICY_CREATED: _("Scorecard created"),
    GradingEvent.POLICY_APPROVED: _("Scorecard approved"),
    GradingEvent.RUN_STARTED: _("Grading run started"),
    GradingEvent.RUN_CLOSED: _("Grading month closed"),
    GradingEvent.RUN_REOPENED: _("Grading month reopened"),
    GradingEvent.GRADES_WRITTEN: _("Grades written"),
    GradingEvent.OVERRIDE_REQUESTED: _("Grade override requested"),
    GradingEvent.OVERRIDE_APPROVED: _("Grade override approved"),
    GradingEvent.OVERRIDE_REJECTED: _("Grade override rejected"),
    GradingEvent.EVENT_RECORDED: _("Grading event recorded"),
    GradingEvent.EXIT_REVIEW_OPENED: _("Exit review opened"),
}
