from django.utils.translation import gettext_lazy as _


class SuitabilityEvent:
    """Audit event codes of the suitability module (76xx). Never renumber."""

    PROFILE_SAVED = 7601
    EVIDENCE_ADDED = 7602
    ASSESSMENT_RECORDED = 7603
    ASSESSMENT_EXPIRED = 7604
    PROFESSIONAL_REQUESTED = 7610
    PROFESSIONAL_DECIDED = 7611
    PRODUCT_SAVED = 7620
    MATERIAL_ATTACHED = 7621
    MATERIAL_REFUSED = 7622
    SUBSCRIPTION_CREATED = 7630
    SUBSCRIPTION_TRANSITION = 7631
    SUITABILITY_CHECKED = 7632
    WARNING_ISSUED = 7633
    COOLING_OFF_ENDED = 7634
    FILING_CREATED = 7640
    FILING_DOCUMENT_ADDED = 7641
    FILING_SUBMITTED = 7642
    FILING_WARNED = 7643
    FILING_OVERDUE = 7644
    RECORD_PURGED = 7650


# The Chinese names of the events on the audit-log page (kehu.core.audit.register_events).
LABELS = {
    SuitabilityEvent.PROFILE_SAVED: _("Investor profile saved"),
    SuitabilityEvent.EVIDENCE_ADDED: _("Evidence added"),
    SuitabilityEvent.ASSESSMENT_RECORDED: _("Risk assessment recorded"),
    SuitabilityEvent.ASSESSMENT_EXPIRED: _("Risk assessment expired"),
    SuitabilityEvent.PROFESSIONAL_REQUESTED: _("Professional investor requested"),
    SuitabilityEvent.PROFESSIONAL_DECIDED: _("Professional investor decided"),
    SuitabilityEvent.PRODUCT_SAVED: _("Product saved"),
    SuitabilityEvent.MATERIAL_ATTACHED: _("Marketing material attached"),
    SuitabilityEvent.MATERIAL_REFUSED: _("Marketing material refused"),
    SuitabilityEvent.SUBSCRIPTION_CREATED: _("Subscription created"),
    SuitabilityEvent.SUBSCRIPTION_TRANSITION: _("Subscription status changed"),
    SuitabilityEvent.SUITABILITY_CHECKED: _("Suitability checked"),
    SuitabilityEvent.WARNING_ISSUED: _("Risk warning issued"),
    SuitabilityEvent.COOLING_OFF_ENDED: _("Cooling-off ended"),
    SuitabilityEvent.FILING_CREATED: _("Filing created"),
    SuitabilityEvent.FILING_DOCUMENT_ADDED: _("Filing document added"),
    SuitabilityEvent.FILING_SUBMITTED: _("Filing submitted"),
    SuitabilityEvent.FILING_WARNED: _("Filing due warning"),
    SuitabilityEvent.FILING_OVERDUE: _("Filing overdue"),
    SuitabilityEvent.RECORD_PURGED: _("Record purged after retention"),
}
