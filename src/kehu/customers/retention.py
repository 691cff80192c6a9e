"""The customer archive's retention classes (domain spec 10.6), registered from CustomersConfig.ready().

The person's archive as a whole: the privacy app's sweeper erases (or restricts) each person whose period
ended, with the documents' files and the erasure ledger (D-9)."""

from __future__ import annotations

from datetime import datetime

from django.utils.translation import gettext_lazy as _

from kehu.core.retention import ANONYMISE, DELETE, RESTRICT, DataClass, register_data_class
from kehu.customers.models import Customer


def _expired(statuses: tuple[str, ...]):
    def expired(cutoff: datetime):
        # the clock starts at the last change of the archive (the last contact for a prospect)
        return Customer.objects.filter(admission_status__in=statuses, updated_at__lte=cutoff)

    return expired


def register() -> None:
    register_data_class(DataClass(
        code="prospect", label=_("Prospects who never became customers"), app="customers", level="customer",
        default_days=730, default_action=DELETE, actions=(DELETE, ANONYMISE, RESTRICT),
        basis="domain spec 10.6 [PROPOSED]: 2 y after last contact, then delete",
        expired=_expired(("prospect", "rejected")), clock=_("last change of the archive"), order=10))
    register_data_class(DataClass(
        code="former_customer", label=_("KYC and identity data of former customers"), app="customers",
        level="customer", default_days=3650, default_action=ANONYMISE, actions=(ANONYMISE, DELETE, RESTRICT),
        basis="2022年1号令 (≥ 5 y after the relationship ends); default 10 y pending the new AML rules",
        expired=_expired(("terminated", "exited")), clock=_("end of the relationship (last change)"), order=20))
