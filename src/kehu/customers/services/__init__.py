"""Writes of the customers app. Import from here: ``from kehu.customers import services``."""

from kehu.customers.services.admission import (  # noqa: F401
    admission_create,
    admission_office_review,
    admission_opinion,
    admission_problems,
    admission_return,
    admission_sales_check,
    admission_submit,
    admission_update,
    admission_vote,
    customer_activate,
    customer_exit,
    customer_terminate,
)
from kehu.customers.services.archive import (  # noqa: F401
    agreement_sign,
    consent_record,
    contact_add,
    contact_remove,
    contract_file,
    customer_create,
    customer_require_tradable,
    customer_unmask,
    customer_update,
    document_read,
    document_upload,
    group_add_member,
    group_create,
    group_remove_member,
    licence_add,
)
