from django.utils.translation import gettext_lazy as _

from kehu.core.errors import DomainError


class ReportInvalid(DomainError):
    code = "report_invalid"
    http_status = 409
    default_message = _("The report does not pass validation; fix the problems listed and draft it again.")

    def __init__(self, message=None, *, problems=None, **kw):
        super().__init__(message, **kw)
        self.problems = problems or []
