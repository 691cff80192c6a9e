"""Audit event codes of the customer archive (20xx) and admission (21xx), registered with core's audit log from
``CustomersConfig.ready()``. Stable: never renumber; the codes and their names are in sealed audit rows."""

from django.utils.translation import gettext_lazy as _


class CustomerEvent:
    # 20xx the archive
    CUSTOMER_CREATED = 2001
    CUSTOMER_UPDATED = 2002
    CUSTOMER_UNMASKED = 2003
    CUSTOMER_CONSENT_RECORDED = 2004
    CONTACT_ADDED = 2010
    CONTACT_UPDATED = 2011
    CONTACT_REMOVED = 2012
    DOCUMENT_UPLOADED = 2020
    DOCUMENT_DOWNLOADED = 2021
    LICENCE_ADDED = 2030
    LICENCE_UPDATED = 2031
    CONTRACT_FILED = 2040
    CONTRACT_UPDATED = 2041
    AGREEMENT_SIGNED = 2042
    AGREEMENT_TERMINATED = 2043
    GROUP_CREATED = 2050
    GROUP_MEMBER_ADDED = 2051
    GROUP_MEMBER_REMOVED = 2052
    # 21xx admission
    ADMISSION_CREATED = 2101
    ADMISSION_SUBMITTED = 2102
    ADMISSION_SALES_CHECKED = 2103
    ADMISSION_OFFICE_REVIEWED = 2104
    ADMISSION_OPINION = 2105
    ADMISSION_OPINIONS_COMPLETE = 2106
    ADMISSION_VOTE = 2107
    ADMISSION_QUALIFIED = 2108
    ADMISSION_REJECTED = 2109
    ADMISSION_RETURNED = 2110
    ADMISSION_UPDATED = 2111
    CUSTOMER_ACTIVATED = 2120
    CUSTOMER_TERMINATED = 2121
    CUSTOMER_EXITED = 2122


# The Chinese names of the events on the audit-log page (kehu.core.audit.register_events).
LABELS = {
    CustomerEvent.CUSTOMER_CREATED: _("Customer created"),
    CustomerEvent.CUSTOMER_UPDATED: _("Customer updated"),
    CustomerEvent.CUSTOMER_UNMASKED: _("Personal data viewed unmasked"),
    CustomerEvent.CUSTOMER_CONSENT_RECORDED: _("Consent record"),
    CustomerEvent.CONTACT_ADDED: _("Contact added"),
    CustomerEvent.CONTACT_UPDATED: _("Contact updated"),
    CustomerEvent.CONTACT_REMOVED: _("Contact removed"),
    CustomerEvent.DOCUMENT_UPLOADED: _("Document uploaded"),
    CustomerEvent.DOCUMENT_DOWNLOADED: _("Document downloaded"),
    CustomerEvent.LICENCE_ADDED: _("Licence added"),
    CustomerEvent.LICENCE_UPDATED: _("Licence updated"),
    CustomerEvent.CONTRACT_FILED: _("Contract filed"),
    CustomerEvent.CONTRACT_UPDATED: _("Contract updated"),
    CustomerEvent.AGREEMENT_SIGNED: _("Cooperation agreement signed"),
    CustomerEvent.AGREEMENT_TERMINATED: _("Cooperation agreement terminated"),
    CustomerEvent.GROUP_CREATED: _("Customer group created"),
    CustomerEvent.GROUP_MEMBER_ADDED: _("Group member added"),
    CustomerEvent.GROUP_MEMBER_REMOVED: _("Group member removed"),
    CustomerEvent.ADMISSION_CREATED: _("Admission application created"),
    CustomerEvent.ADMISSION_SUBMITTED: _("Admission application submitted"),
    CustomerEvent.ADMISSION_SALES_CHECKED: _("Sales pre-check passed"),
    CustomerEvent.ADMISSION_OFFICE_REVIEWED: _("Office review passed"),
    CustomerEvent.ADMISSION_OPINION: _("Department opinion"),
    CustomerEvent.ADMISSION_OPINIONS_COMPLETE: _("Department opinions complete"),
    CustomerEvent.ADMISSION_VOTE: _("Committee vote"),
    CustomerEvent.ADMISSION_QUALIFIED: _("Customer qualified"),
    CustomerEvent.ADMISSION_REJECTED: _("Admission rejected"),
    CustomerEvent.ADMISSION_RETURNED: _("Returned for correction"),
    CustomerEvent.ADMISSION_UPDATED: _("Admission application edited"),
    CustomerEvent.CUSTOMER_ACTIVATED: _("Customer activated"),
    CustomerEvent.CUSTOMER_TERMINATED: _("Cooperation terminated"),
    CustomerEvent.CUSTOMER_EXITED: _("Customer exited"),
}
