"""What each role may do with the customer archive and admission (customers' share of the role table in
``kehu.core.permissions``, registered from ``CustomersConfig.ready()`` like every other app's).

Separation of duties (211号 and domain spec I-11): the system administrator holds none of these: they manage
users, org units and parameters but see no customer data; the auditor reads only.
"""

from __future__ import annotations

from kehu.core.models import Role


class CustomerPerm:
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


P = CustomerPerm
ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    Role.CUSTOMER_MANAGER: frozenset({
        P.CUSTOMER_VIEW, P.CUSTOMER_CREATE, P.CUSTOMER_EDIT, P.CUSTOMER_UNMASK, P.CUSTOMER_CONSENT,
        P.DOCUMENT_MANAGE, P.ADMISSION_SUBMIT, P.ADMISSION_SALES_CHECK, P.ADMISSION_RETURN, P.CUSTOMER_ACTIVATE,
        P.CUSTOMER_EXIT,
    }),
    Role.CUSTOMER_OFFICE: frozenset({
        P.CUSTOMER_VIEW, P.CUSTOMER_EDIT, P.CUSTOMER_UNMASK, P.CUSTOMER_CONSENT, P.DOCUMENT_MANAGE,
        P.GROUP_MANAGE, P.ADMISSION_OFFICE_REVIEW, P.ADMISSION_RETURN, P.CUSTOMER_ACTIVATE, P.CUSTOMER_TERMINATE,
        P.CUSTOMER_EXIT,
    }),
    Role.DEPT_REVIEWER: frozenset({P.CUSTOMER_VIEW, P.ADMISSION_OPINION, P.ADMISSION_RETURN}),
    Role.COMMITTEE: frozenset({P.CUSTOMER_VIEW, P.ADMISSION_COMMITTEE, P.ADMISSION_RETURN, P.CUSTOMER_TERMINATE}),
    Role.AUDITOR: frozenset({P.CUSTOMER_VIEW}),
}


# Who may return an application at each stage: the reviewer of that stage (domain spec 2.3).
RETURN_PERMISSION = {
    "submitted": CustomerPerm.ADMISSION_SALES_CHECK,
    "sales_checked": CustomerPerm.ADMISSION_OFFICE_REVIEW,
    "office_reviewed": CustomerPerm.ADMISSION_OPINION,
    "opinions_complete": CustomerPerm.ADMISSION_COMMITTEE,
}
