"""Errors of the import and export: a stable ``code`` and a translated message."""

from django.utils.translation import gettext as _

from kehu.core.errors import Conflict, InvalidInput


class ApprovalRequired(Conflict):
    """An export of more rows than ``bulk.export_approval_rows`` waits for a second person's approval."""

    code = "export_needs_approval"


class FileRefused(InvalidInput):
    """The file breaks a limit (``code``: unsafe_file, too_many_rows, too_many_columns): a 400 with a clear
    message in the request, a failed job with that message in the background."""

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(_("The file is refused: %(why)s.") % {"why": detail}, code=code, field="file")
