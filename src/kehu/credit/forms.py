"""Forms of the credit pages: shapes only; the services own every rule."""

from __future__ import annotations

import uuid

from django import forms
from django.utils.translation import gettext_lazy as _

from kehu.core.forms import DateInput
from kehu.credit.models import Classification, Product, Rating
from kehu.customers.widgets import CustomerPicker

MONEY = {"max_digits": 15, "decimal_places": 2, "min_value": 0}


def money(label, required=False, **kw):
    return forms.DecimalField(label=label, required=required, **MONEY,
                              widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}), **kw)


class LineRequestForm(forms.Form):
    customer_id = forms.IntegerField(label=_("Customer"), required=False, min_value=1,
                                     widget=CustomerPicker(perm="credit.request"))
    group_id = forms.IntegerField(label=_("Group ID"), required=False, min_value=1)
    line_type = forms.ChoiceField(label=_("Line type"), choices=[("comprehensive", _("Maximum comprehensive line")),
                                                                 ("specific", _("Specific (single-product) line"))])
    line_amount = money(_("Requested line"), required=True)
    currency = forms.CharField(label=_("Currency"), max_length=3, initial="CNY")
    valid_from = forms.DateField(label=_("Valid from"), required=False, widget=DateInput())
    valid_to = forms.DateField(label=_("Valid to"), required=False, widget=DateInput())
    temp_amount = money(_("Temporary line"))
    temp_valid_to = forms.DateField(label=_("Temporary line valid to"), required=False, widget=DateInput())
    collateral_type = forms.ChoiceField(label=_("Collateral"), required=False, choices=[
        ("", _("Other / none")), ("mortgage", _("Real-estate mortgage")), ("pledge", _("Pledge")),
        ("guarantee", _("Guarantee"))])
    mortgage_share_pct = forms.DecimalField(label=_("Share backed by mortgage (%)"), required=False, min_value=0,
                                            max_value=100, max_digits=5, decimal_places=2)
    renews_line_id = forms.IntegerField(label=_("Renews line"), required=False, min_value=1)
    equity = money(_("Equity (formula method)"))
    intangibles = money(_("Intangible assets"))
    related_party_receivables = money(_("Related-party receivables"))
    long_outstanding_receivables = money(_("Receivables outstanding over 3 years"))
    industry_debt_ratio = forms.DecimalField(label=_("Acceptable industry debt ratio"), required=False, min_value=0,
                                             max_value=0.9999, max_digits=5, decimal_places=4)
    other_bank_lines = money(_("Lines at other banks"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for product in Product:
            self.fields[f"sub_{product.value}"] = money(_("Sub-limit: %(product)s") % {"product": product.label})

    def sub_limit_fields(self):
        return [self[f"sub_{p.value}"] for p in Product]

    def service_kwargs(self) -> dict:
        d = self.cleaned_data
        kw = {k: d.get(k) for k in ("customer_id", "group_id", "line_type", "line_amount", "currency", "valid_from",
                                     "valid_to", "temp_amount", "temp_valid_to", "collateral_type",
                                     "mortgage_share_pct", "renews_line_id")}
        kw["sub_limits"] = {p.value: d[f"sub_{p.value}"] for p in Product if d.get(f"sub_{p.value}") is not None}
        if d.get("equity") is not None:
            kw["formula_inputs"] = {k: d[k] for k in ("equity", "intangibles", "related_party_receivables",
                                                       "long_outstanding_receivables", "industry_debt_ratio",
                                                       "other_bank_lines") if d.get(k) is not None}
        return kw


class RatingForm(forms.Form):
    customer_id = forms.IntegerField(label=_("Customer"), min_value=1, widget=CustomerPicker(perm="credit.rate"))
    rating = forms.ChoiceField(label=_("Rating"), choices=Rating.choices)
    rated_on = forms.DateField(label=_("Rated on"), required=False, widget=DateInput())
    note = forms.CharField(label=_("Note"), required=False, max_length=500)


class UseForm(forms.Form):
    product = forms.ChoiceField(label=_("Product"), choices=Product.choices)
    amount = money(_("Amount"), required=True)
    currency = forms.CharField(label=_("Currency"), max_length=3, required=False)
    fx_rate = forms.DecimalField(label=_("Exchange rate"), required=False, min_value=0, max_digits=16,
                                 decimal_places=8)
    reference = forms.CharField(label=_("Transaction approval reference"), required=False, max_length=64)
    margin_amount = money(_("Margin deposit"))
    low_risk_collateral_amount = money(_("Eligible low-risk collateral (after haircut)"))
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=100, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            # one key per rendered form: a double submit or a retried POST has one effect
            self.fields["idempotency_key"].initial = uuid.uuid4().hex


class AmountForm(forms.Form):
    amount = money(_("Amount (empty: all)"))
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=100, required=False)


class AdjustForm(forms.Form):
    line_amount = money(_("New line"))
    temp_amount = money(_("Temporary line"))
    temp_valid_to = forms.DateField(label=_("Temporary line valid to"), required=False, widget=DateInput())
    reason = forms.CharField(label=_("Reason"), max_length=500)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=500, required=False)


class ClassifyForm(forms.Form):
    classification = forms.ChoiceField(label=_("Five-category classification"), choices=Classification.choices)
