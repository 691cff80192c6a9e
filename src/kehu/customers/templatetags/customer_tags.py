"""Template helpers of the customer pages."""

from __future__ import annotations

from django import template
from django.core.exceptions import FieldDoesNotExist
from django.utils.translation import gettext_lazy as _

from kehu.customers import selectors
from kehu.customers.models import ApplicationStatus, Customer

register = template.Library()

LICENCE_STATES = {"expired": _("Expired"), "expiring": _("Expiring soon"), "valid": _("Valid")}


@register.filter
def masked(customer, field: str) -> str:
    """``{{ customer|masked:"phone" }}``: the field as this page may show it (personal data masked)."""
    return selectors.masked(customer, field)


@register.filter
def licence_state_label(state: str) -> str:
    return LICENCE_STATES.get(state, state)


@register.filter
def application_status_label(code: str) -> str:
    return ApplicationStatus(code).label if code in ApplicationStatus.values else code


@register.filter
def field_label(code: str) -> str:
    """The translated name of a customer field code ("phone" → 电话), for change history and notices."""

    try:
        return str(Customer._meta.get_field(code.removesuffix("_id")).verbose_name)
    except FieldDoesNotExist:
        return code
