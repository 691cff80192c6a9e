class StaffEvent:
    """Audit codes of the staff assessment (79xx)."""

    SELF_ASSESSED = 7901
    MANAGER_MARKED = 7902
    SCORECARDS_COMPUTED = 7903
    INTERVIEW_RECORDED = 7904
    NOTICE_PUBLISHED = 7905
