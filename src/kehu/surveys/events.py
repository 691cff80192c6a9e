class SurveyEvent:
    """Audit codes of the satisfaction surveys (78xx)."""

    TEMPLATE_PUBLISHED = 7801
    INVITATION_SENT = 7802
    ANSWER_RECORDED = 7803
    FOLLOW_UP_OPENED = 7804
