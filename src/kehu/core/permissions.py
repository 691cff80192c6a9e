"""What each role may do. One table, read by services, API and pages alike.

Separation of duties (211号 and domain spec I-11): the system administrator manages users, org units
and parameters but takes no business decision and sees no customer data; the auditor reads only.
"""

from __future__ import annotations

from kehu.core.models import Role


class Perm:
    CUSTOMER_VIEW = "customer.view"
    CUSTOMER_CREATE = "customer.create"
    CUSTOMER_EDIT = "customer.edit"
    CUSTOMER_UNMASK = "customer.unmask"
    CUSTOMER_CONSENT = "customer.consent"
    DOCUMENT_MANAGE = "document.manage"
    GROUP_MANAGE = "group.manage"
    ADMISSION_SUBMIT = "admission.submit"
    ADMISSION_SALES_CHECK = "admission.sales_check"
    ADMISSION_OFFICE_REVIEW = "admission.office_review"
    ADMISSION_OPINION = "admission.opinion"
    ADMISSION_COMMITTEE = "admission.committee"
    ADMISSION_RETURN = "admission.return"
    CUSTOMER_ACTIVATE = "customer.activate"
    CUSTOMER_TERMINATE = "customer.terminate"
    CUSTOMER_EXIT = "customer.exit"
    AUDIT_VIEW = "audit.view"
    ORG_MANAGE = "org.manage"
    USER_MANAGE = "user.manage"
    PARAM_MANAGE = "param.manage"


ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    Role.CUSTOMER_MANAGER: frozenset(
        {
            Perm.CUSTOMER_VIEW,
            Perm.CUSTOMER_CREATE,
            Perm.CUSTOMER_EDIT,
            Perm.CUSTOMER_UNMASK,
            Perm.CUSTOMER_CONSENT,
            Perm.DOCUMENT_MANAGE,
            Perm.ADMISSION_SUBMIT,
            Perm.ADMISSION_SALES_CHECK,
            Perm.ADMISSION_RETURN,
            Perm.CUSTOMER_ACTIVATE,
            Perm.CUSTOMER_EXIT,
        }
    ),
    Role.CUSTOMER_OFFICE: frozenset(
        {
            Perm.CUSTOMER_VIEW,
            Perm.CUSTOMER_EDIT,
            Perm.CUSTOMER_UNMASK,
            Perm.CUSTOMER_CONSENT,
            Perm.DOCUMENT_MANAGE,
            Perm.GROUP_MANAGE,
            Perm.ADMISSION_OFFICE_REVIEW,
            Perm.ADMISSION_RETURN,
            Perm.CUSTOMER_ACTIVATE,
            Perm.CUSTOMER_TERMINATE,
            Perm.CUSTOMER_EXIT,
        }
    ),
    Role.DEPT_REVIEWER: frozenset({Perm.CUSTOMER_VIEW, Perm.ADMISSION_OPINION, Perm.ADMISSION_RETURN}),
    Role.COMMITTEE: frozenset(
        {Perm.CUSTOMER_VIEW, Perm.ADMISSION_COMMITTEE, Perm.ADMISSION_RETURN, Perm.CUSTOMER_TERMINATE}
    ),
    Role.AUDITOR: frozenset({Perm.CUSTOMER_VIEW, Perm.AUDIT_VIEW}),
    Role.SYSADMIN: frozenset({Perm.ORG_MANAGE, Perm.USER_MANAGE, Perm.PARAM_MANAGE}),
}



def register_permissions(role_permissions: dict[str, set[str] | frozenset[str]]) -> None:
    """Add an app's permissions to roles. Apps call this from AppConfig.ready(), so each module keeps
    its own table (``<app>/permissions.py``) and core does not import the apps above it."""
    for role, perms in role_permissions.items():
        ROLE_PERMISSIONS[role] = frozenset(ROLE_PERMISSIONS.get(role, frozenset()) | set(perms))

