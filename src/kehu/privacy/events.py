"""Audit event codes of the privacy app (91xx: personal-information protection). Never renumber."""


from django.utils.translation import gettext_lazy as _


class PrivacyEvent:
    NOTICE_PUBLISHED = 9101
    CONSENT_GIVEN = 9102
    CONSENT_WITHDRAWN = 9103
    REQUEST_RECEIVED = 9110
    REQUEST_VERIFIED = 9111
    REQUEST_DONE = 9112
    REQUEST_REFUSED = 9113
    REQUEST_EXPORTED = 9114
    HOLD_PLACED = 9120
    HOLD_RELEASED = 9121
    RECORD_RESTRICTED = 9122
    PERSONAL_DATA_ERASED = 9130
    ERASURE_REAPPLIED = 9131
    SWEEP_DRY_RUN = 9140
    SWEEP_DONE = 9141
    RETENTION_APPLIED = 9142
    CHANGE_ANSWERED = 9150
    CHANGE_UNDONE = 9151


# The Chinese names of the events on the audit-log page (kehu.core.audit.register_events).
LABELS = {
    PrivacyEvent.NOTICE_PUBLISHED: _("Privacy notice published"),
    PrivacyEvent.CONSENT_GIVEN: _("Consent given"),
    PrivacyEvent.CONSENT_WITHDRAWN: _("Consent withdrawn"),
    PrivacyEvent.REQUEST_RECEIVED: _("Data-subject request received"),
    PrivacyEvent.REQUEST_VERIFIED: _("Requester identity verified"),
    PrivacyEvent.REQUEST_DONE: _("Data-subject request done"),
    PrivacyEvent.REQUEST_REFUSED: _("Data-subject request refused"),
    PrivacyEvent.REQUEST_EXPORTED: _("Personal data exported for the person"),
    PrivacyEvent.HOLD_PLACED: _("Legal hold placed"),
    PrivacyEvent.HOLD_RELEASED: _("Legal hold released"),
    PrivacyEvent.RECORD_RESTRICTED: _("Record restricted"),
    PrivacyEvent.PERSONAL_DATA_ERASED: _("Personal data erased"),
    PrivacyEvent.ERASURE_REAPPLIED: _("Erasure re-applied"),
    PrivacyEvent.SWEEP_DRY_RUN: _("Retention sweep dry run"),
    PrivacyEvent.SWEEP_DONE: _("Retention sweep done"),
    PrivacyEvent.RETENTION_APPLIED: _("Expired records anonymised or deleted"),
    PrivacyEvent.CHANGE_ANSWERED: _("Change notice answered"),
    PrivacyEvent.CHANGE_UNDONE: _("Refused change undone"),
}
