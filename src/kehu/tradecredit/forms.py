"""Forms of the trade-credit pages: shapes only; the services own every rule."""

from __future__ import annotations

import uuid

from django import forms
from django.utils.translation import gettext_lazy as _

from kehu.core.forms import DateInput
from kehu.customers.widgets import CustomerPicker


def money(label, required=True):
    return forms.DecimalField(label=label, required=required, max_digits=15, decimal_places=2, min_value=0,
                              widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}))


class OrderForm(forms.Form):
    customer_id = forms.IntegerField(label=_("Customer"), min_value=1,
                                     widget=CustomerPicker(perm="trade.order_place"))
    number = forms.CharField(label=_("Order number"), max_length=64)
    amount = money(_("Amount (CNY)"))
    ordered_on = forms.DateField(label=_("Ordered on"), required=False, widget=DateInput())
    prepaid = forms.BooleanField(label=_("Prepaid (cash before delivery)"), required=False,
                                 help_text=_("The customer pays before shipping: no credit check, no credit hold."))
    # A new key per form shown: submitting the same page twice (double click, reload) places one order.
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=64, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("idempotency_key", uuid.uuid4().hex)


class LimitForm(forms.Form):
    amount = money(_("New limit (CNY)"))
    term_days = forms.IntegerField(label=_("Credit term (days)"), min_value=0, max_value=365)
    reason = forms.CharField(label=_("Reason"), max_length=500)
