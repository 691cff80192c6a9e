from django.utils.translation import gettext_lazy as _

from kehu.core.errors import Conflict, InvalidInput


class NotSuitable(Conflict):
    code = "not_suitable"
    default_message = _("The product's risk level is above what the investor may buy.")


class AssessmentExpired(Conflict):
    code = "assessment_expired"
    default_message = _("The investor's risk assessment is missing or expired; the investor must be re-tested.")


class NotQualified(Conflict):
    code = "not_qualified"
    default_message = _("The investor does not meet the qualified-investor test in force on the subscription date.")


class StaffNotAllowed(Conflict):
    code = "staff_single_client"
    default_message = _("The firm's directors, supervisors, employees and their spouses may not be single-client "
                        "investors.")


class BelowMinimum(InvalidInput):
    code = "below_minimum"
    default_message = _("The amount is below the minimum subscription.")


class PlanFull(Conflict):
    code = "investor_cap_reached"
    default_message = _("The plan has reached its investor cap.")


class CoolingOff(Conflict):
    code = "cooling_off"
    default_message = _("The cooling-off period has not ended yet.")


class ForbiddenPromise(InvalidInput):
    code = "forbidden_promise"
    default_message = _("The text promises principal protection or a minimum return.")


class ChecklistIncomplete(Conflict):
    code = "checklist_incomplete"
    default_message = _("Every required document must be attached before the filing is submitted.")


class RetentionPeriod(Conflict):
    code = "retention_period"
    default_message = _("Suitability records are kept for the retention period and cannot be deleted yet.")
