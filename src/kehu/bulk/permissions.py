"""Who may approve a large customer export (domain spec 10.5)."""

from kehu.core.models import Role


class ExportPerm:
    APPROVE = "export.approve"


# The branch's customer office approves its staff's large exports; the requester can never approve their
# own (maker-checker).
ROLE_PERMISSIONS = {
    Role.CUSTOMER_OFFICE: {ExportPerm.APPROVE},
}
