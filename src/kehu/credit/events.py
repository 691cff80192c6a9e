"""Audit event codes of bank credit lines and the exposure guard (40xx-44xx). Never renumber."""

from django.utils.translation import gettext_lazy as _


class CreditEvent:
    RATING_RECORDED = 4001
    LINE_REQUESTED = 4010
    LINE_APPROVED = 4011
    LINE_REJECTED = 4012
    LINE_FROZEN = 4013
    LINE_UNFROZEN = 4014
    LINE_EXPIRED = 4015
    LINE_RENEWAL_PENDING = 4016
    LINE_CLOSED = 4017
    LINE_EXITED = 4018
    LINE_ADJUSTED = 4019
    TEMP_LINE_LAPSED = 4020
    LINE_TRANSFERRED = 4021
    LINE_CHANGE_REQUESTED = 4022
    LINE_CHANGE_APPROVED = 4023
    LINE_CHANGE_REJECTED = 4024
    LINE_EXPIRY_WARNED = 4025  # B-8: the line expires within bankline.expiry_warning_days and no renewal is started
    USE_RESERVED = 4101
    USE_POSTED = 4102
    USE_RELEASED = 4103
    USE_REPAID = 4104
    USE_EXPIRED = 4105
    USE_REFUSED = 4106
    USE_COLLATERAL_SET = 4107
    USE_CLASSIFIED = 4108


# The Chinese names of the events on the audit-log page (kehu.core.audit.register_events).
LABELS = {
    CreditEvent.LINE_EXPIRY_WARNED: _("Credit line expiry warned"),
    CreditEvent.RATING_RECORDED: _("Customer rating recorded"),
    CreditEvent.LINE_REQUESTED: _("Credit line requested"),
    CreditEvent.LINE_APPROVED: _("Credit line approved"),
    CreditEvent.LINE_REJECTED: _("Credit line rejected"),
    CreditEvent.LINE_FROZEN: _("Credit line frozen"),
    CreditEvent.LINE_UNFROZEN: _("Credit line unfrozen"),
    CreditEvent.LINE_EXPIRED: _("Credit line expired"),
    CreditEvent.LINE_RENEWAL_PENDING: _("Credit line waiting for renewal"),
    CreditEvent.LINE_CLOSED: _("Credit line closed"),
    CreditEvent.LINE_EXITED: _("Credit line exited"),
    CreditEvent.LINE_ADJUSTED: _("Credit line adjusted"),
    CreditEvent.TEMP_LINE_LAPSED: _("Temporary line lapsed"),
    CreditEvent.LINE_TRANSFERRED: _("Credit line transferred"),
    CreditEvent.LINE_CHANGE_REQUESTED: _("Credit line increase requested"),
    CreditEvent.LINE_CHANGE_APPROVED: _("Credit line increase approved"),
    CreditEvent.LINE_CHANGE_REJECTED: _("Credit line increase rejected"),
    CreditEvent.USE_RESERVED: _("Drawing reserved"),
    CreditEvent.USE_POSTED: _("Drawing posted"),
    CreditEvent.USE_RELEASED: _("Drawing released"),
    CreditEvent.USE_REPAID: _("Drawing repaid"),
    CreditEvent.USE_EXPIRED: _("Reservation expired"),
    CreditEvent.USE_REFUSED: _("Drawing refused"),
    CreditEvent.USE_COLLATERAL_SET: _("Collateral recorded"),
    CreditEvent.USE_CLASSIFIED: _("Drawing classified"),
}
