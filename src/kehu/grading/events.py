"""Audit event codes of customer grading (46xx). Never renumber."""


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
