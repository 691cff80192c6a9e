"""Forms of the customer pages. They parse and check shapes; the services own every business rule."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from kehu.core.forms import DateInput
from kehu.core.models import Department
from kehu.customers import rules
from kehu.customers.models import (
    AdmissionStatus,
    ConsentStatus,
    ContractKind,
    Customer,
    CustomerKind,
    DocumentKind,
    GroupRelation,
    LicenceKind,
    Opinion,
)
from kehu.customers.selectors import masked, personal_fields
from kehu.customers.services.admission import QUESTIONNAIRE_FIELDS
from kehu.customers.widgets import CustomerPicker

ENTITY = ("enterprise", "financial_institution")
PERSON = ("individual", "scattered")
# Service amounts stay below 10^17 with 2 decimals (kehu.core.inputs.amount).
MONEY = {"max_digits": 19, "decimal_places": 2, "min_value": 0}


def money_field(label, **kw) -> forms.DecimalField:
    return forms.DecimalField(label=label, required=False, **MONEY,
                              widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}), **kw)


def for_kinds(field: forms.Field, *kinds: str) -> forms.Field:
    field.kinds = kinds  # read by the {% field %} tag and kehu.js
    return field


class CustomerForm(forms.Form):
    """Create a customer of any kind; the kind switch shows the fields that apply to it."""

    kind = forms.ChoiceField(label=_("Kind of customer"), choices=CustomerKind.choices, initial="enterprise",
                             widget=forms.RadioSelect(attrs={"class": "kind-switch"}))
    name = forms.CharField(label=_("Name"), max_length=200,
                           help_text=_("The full registered name, or the person's name."))
    org_code = forms.ChoiceField(label=_("Org unit"))
    uscc = for_kinds(forms.CharField(label=_("Unified social credit code"), max_length=22, required=False,
                                     help_text=_("18 characters; the last one is a check character.")), *ENTITY)
    legal_representative = for_kinds(forms.CharField(label=_("Legal representative"), max_length=100,
                                                     required=False), *ENTITY)
    registered_capital_amount = for_kinds(money_field(_("Registered capital (CNY)")), *ENTITY)
    industry = forms.CharField(label=_("Industry"), max_length=100, required=False)
    region = forms.CharField(label=_("Region"), max_length=100, required=False)
    business_scope = for_kinds(forms.CharField(label=_("Business scope"), max_length=2000, required=False,
                                               widget=forms.Textarea(attrs={"rows": 3})), *ENTITY)
    id_number = for_kinds(forms.CharField(label=_("Resident ID number"), max_length=22, required=False,
                                          help_text=_("18 digits; the last may be X.")), *PERSON)
    occupation = for_kinds(forms.CharField(label=_("Occupation"), max_length=100, required=False), *PERSON)
    phone = forms.CharField(label=_("Phone"), max_length=32, required=False)
    email = forms.CharField(label=_("E-mail"), max_length=254, required=False)
    address = forms.CharField(label=_("Address"), max_length=300, required=False)

    def __init__(self, *args, units=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org_code"].choices = [(u.code, f"{u.name} ({u.code})") for u in units]

    def service_values(self) -> dict:
        data = dict(self.cleaned_data)
        # Fields hidden for the chosen kind are not sent: a stale value in a hidden input must not land
        # in the archive of another kind of customer.
        kind = data["kind"]
        for name, field in self.fields.items():
            kinds = getattr(field, "kinds", None)
            if kinds and kind not in kinds:
                data.pop(name, None)
        if data.get("registered_capital_amount") is None:
            data.pop("registered_capital_amount", None)
        return data


class CustomerEditForm(forms.Form):
    """Change archive fields. Personal fields start empty (they are masked); empty keeps the value."""

    FIELDS = {
        "name": (lambda: forms.CharField(label=_("Name"), max_length=200), None),
        "uscc": (lambda: forms.CharField(label=_("Unified social credit code"), max_length=22), ENTITY),
        "legal_representative": (lambda: forms.CharField(label=_("Legal representative"), max_length=100),
                                 ENTITY),
        "registered_capital_amount": (lambda: money_field(_("Registered capital (CNY)")), ENTITY),
        "industry": (lambda: forms.CharField(label=_("Industry"), max_length=100), None),
        "region": (lambda: forms.CharField(label=_("Region"), max_length=100), None),
        "business_scope": (lambda: forms.CharField(label=_("Business scope"), max_length=2000,
                                                   widget=forms.Textarea(attrs={"rows": 3})), ENTITY),
        "id_number": (lambda: forms.CharField(label=_("Resident ID number"), max_length=22), PERSON),
        "occupation": (lambda: forms.CharField(label=_("Occupation"), max_length=100), PERSON),
        "phone": (lambda: forms.CharField(label=_("Phone"), max_length=32), None),
        "email": (lambda: forms.CharField(label=_("E-mail"), max_length=254), None),
        "address": (lambda: forms.CharField(label=_("Address"), max_length=300), None),
    }

    version = forms.IntegerField(widget=forms.HiddenInput())

    def __init__(self, *args, customer: Customer, **kwargs):
        super().__init__(*args, **kwargs)
        self.customer = customer
        self.personal = set(personal_fields(customer))
        self.fields["version"].initial = customer.version
        for name, (make, kinds) in self.FIELDS.items():
            if kinds and customer.kind not in kinds:
                continue
            field = make()
            field.required = name == "name" and name not in self.personal
            if name in self.personal:
                shown = masked(customer, name)
                field.widget.attrs["placeholder"] = shown
                field.help_text = _("Shown masked; leave empty to keep the current value.")
            else:
                field.initial = getattr(customer, name)
            self.fields[name] = field

    def changes(self) -> dict:
        out = {}
        for name in self.fields:
            if name == "version":
                continue
            value = self.cleaned_data.get(name)
            if name in self.personal:
                if value:
                    out[name] = value
            elif name == "registered_capital_amount":
                if value is not None or self.customer.registered_capital_amount is not None:
                    out[name] = value
            else:
                out[name] = value or ""
        return out


class UnmaskForm(forms.Form):
    reason = forms.CharField(label=_("Reason for viewing"), max_length=500,
                             help_text=_("Written to the audit log with your name."))


class ApplicationForm(forms.Form):
    """The admission application with the customer basic-information questionnaire (客户基本情况调查表)."""

    LABELS = {
        "main_products": _("Main products purchased"),
        "annual_purchase_plan": _("Annual purchase plan"),
        "payment_terms": _("Payment terms"),
        "bank_name": _("Bank of account"),
        "employees": _("Number of employees"),
        "main_suppliers": _("Main suppliers"),
        "credit_record": _("Credit record"),
        "remarks": _("Remarks"),
    }

    expected_annual_volume_amount = money_field(_("Expected annual volume (CNY)"))
    volume_justification = forms.CharField(
        label=_("Justification of the volume"), max_length=2000, required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Needed when the volume is far above the registered capital."))
    scope_attested = forms.BooleanField(label=_("The business is within the customer's licensed scope"),
                                        required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, max_length in QUESTIONNAIRE_FIELDS.items():
            widget = forms.Textarea(attrs={"rows": 2}) if max_length > 200 else forms.TextInput()
            self.fields["q_" + name] = forms.CharField(label=self.LABELS.get(name, name), max_length=max_length,
                                                       required=False, widget=widget)

    @classmethod
    def initial_for(cls, application) -> dict:
        data = {"q_" + k: v for k, v in (application.questionnaire or {}).items()}
        data.update(expected_annual_volume_amount=application.expected_annual_volume_amount,
                    volume_justification=application.volume_justification,
                    scope_attested=application.scope_attested)
        return data

    def questionnaire_fields(self):
        return [self["q_" + name] for name in QUESTIONNAIRE_FIELDS]

    def service_values(self) -> dict:
        data = self.cleaned_data
        return {
            "questionnaire": {k: data["q_" + k] for k in QUESTIONNAIRE_FIELDS if data.get("q_" + k)},
            "expected_annual_volume_amount": data.get("expected_annual_volume_amount"),
            "volume_justification": data.get("volume_justification") or "",
            "scope_attested": bool(data.get("scope_attested")),
        }


class NoteForm(forms.Form):
    note = forms.CharField(label=_("Note"), max_length=2000, required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))


class RequiredNoteForm(forms.Form):
    note = forms.CharField(label=_("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class DecisionForm(forms.Form):
    """Approve or reject at one step; the button pressed carries the decision."""

    decision = forms.ChoiceField(choices=[("approve", _("Approve")), ("reject", _("Reject"))],
                                 widget=forms.HiddenInput())
    comment = forms.CharField(label=_("Comment"), max_length=2000, required=False,
                              widget=forms.Textarea(attrs={"rows": 2}))


class OpinionForm(forms.Form):
    department = forms.ChoiceField(label=_("Department"))
    opinion = forms.ChoiceField(label=_("Opinion"), choices=[
        (Opinion.APPROVE, Opinion.APPROVE.label), (Opinion.CONDITIONAL, Opinion.CONDITIONAL.label),
        (Opinion.REJECT, Opinion.REJECT.label)])
    comment = forms.CharField(label=_("Comment"), max_length=2000, required=False,
                              widget=forms.Textarea(attrs={"rows": 2}),
                              help_text=_("Required for a conditional or negative opinion."))

    def __init__(self, *args, departments=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].choices = [(d, Department(d).label) for d in departments]


class ReturnForm(forms.Form):
    comment = forms.CharField(label=_("What must be corrected"), max_length=2000,
                              widget=forms.Textarea(attrs={"rows": 2}))


TERMINATION_LABELS = {
    "false_information": _("False information provided"),
    "failed_evaluation": _("Failed the evaluation"),
    "grade_e_exit": _("Graded E: exit"),
    "other": _("Other reason"),
}


class TerminateForm(forms.Form):
    """Ending the cooperation cannot be undone: the reason is chosen (no default), explained, and confirmed."""

    reason = forms.ChoiceField(label=_("Reason"), choices=[("", _("Choose a reason"))] + [
        (r, TERMINATION_LABELS.get(r, r)) for r in rules.TERMINATION_REASONS])
    note = forms.CharField(label=_("Explanation"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
    confirm = forms.BooleanField(label=_("I confirm ending the cooperation with this customer"),
                                 help_text=_("Its agreements end too; this cannot be undone."))


class LicenceForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=LicenceKind.choices)
    number = forms.CharField(label=_("Number"), max_length=64)
    issuer = forms.CharField(label=_("Issuer"), max_length=200, required=False)
    valid_from = forms.DateField(label=_("Valid from"), required=False, widget=DateInput())
    valid_to = forms.DateField(label=_("Valid to"), required=False, widget=DateInput(),
                               help_text=_("Leave empty for a long-term licence."))
    annual_report_ok = forms.BooleanField(label=_("Annual report filed"), required=False, initial=True)


class ContractForm(forms.Form):
    number = forms.CharField(label=_("Contract number"), max_length=64)
    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=ContractKind.choices, initial=ContractKind.PURCHASE_SALES)
    signed_on = forms.DateField(label=_("Signed on"), widget=DateInput())
    valid_to = forms.DateField(label=_("Valid to"), required=False, widget=DateInput())
    amount = money_field(_("Amount (CNY)"))


class AgreementForm(forms.Form):
    number = forms.CharField(label=_("Agreement number"), max_length=64)
    signed_on = forms.DateField(label=_("Signed on"), widget=DateInput())
    valid_to = forms.DateField(label=_("Valid to"), required=False, widget=DateInput())


class ContactForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    title = forms.CharField(label=_("Position"), max_length=100, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=32, required=False)
    email = forms.CharField(label=_("E-mail"), max_length=254, required=False)
    is_primary = forms.BooleanField(label=_("Primary contact"), required=False)


class DocumentForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=DocumentKind.choices)
    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    file = forms.FileField(label=_("File"))


CONSENT_CHANNELS = [
    ("phone", _("Telephone")),
    ("in_person", _("In person")),
    ("written", _("In writing")),
    ("sms", _("Text message")),
    ("email", _("E-mail")),
]


class ConsentForm(forms.Form):
    status = forms.ChoiceField(choices=[(ConsentStatus.CONFIRMED, ConsentStatus.CONFIRMED.label),
                                        (ConsentStatus.DECLINED, ConsentStatus.DECLINED.label)],
                               widget=forms.HiddenInput())
    channel = forms.ChoiceField(label=_("How the customer answered"), choices=CONSENT_CHANNELS)


class GroupForm(forms.Form):
    code = forms.CharField(label=_("Group code"), max_length=32)
    name = forms.CharField(label=_("Group name"), max_length=200)
    org_code = forms.ChoiceField(label=_("Org unit"))

    def __init__(self, *args, units=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org_code"].choices = [(u.code, f"{u.name} ({u.code})") for u in units]


class MemberForm(forms.Form):
    customer = forms.CharField(label=_("Customer"), max_length=22, widget=CustomerPicker(),
                               help_text=_("Customer ID or unified social credit code."))
    relation = forms.ChoiceField(label=_("Relation"), choices=GroupRelation.choices)
    evidence = forms.CharField(label=_("Evidence"), max_length=500, required=False)
    since = forms.DateField(label=_("Since"), required=False, widget=DateInput())


class JoinGroupForm(forms.Form):
    group = forms.TypedChoiceField(label=_("Group"), coerce=int)
    relation = forms.ChoiceField(label=_("Relation"), choices=GroupRelation.choices)
    evidence = forms.CharField(label=_("Evidence"), max_length=500, required=False)
    since = forms.DateField(label=_("Since"), required=False, widget=DateInput())

    def __init__(self, *args, groups=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["group"].choices = [(g.pk, f"{g.name} ({g.code})") for g in groups]


class SearchForm(forms.Form):
    """The customer list's search box and filters."""

    q = forms.CharField(label=_("Search"), max_length=100, required=False,
                        widget=forms.TextInput(attrs={"type": "search", "placeholder": _(
                            "Name, pinyin, initials, credit code or ID number")}))
    kind = forms.ChoiceField(label=_("Kind"), required=False)
    status = forms.ChoiceField(label=_("Admission status"), required=False)
    org = forms.ChoiceField(label=_("Org unit"), required=False)
    region = forms.CharField(label=_("Region"), max_length=100, required=False)
    industry = forms.CharField(label=_("Industry"), max_length=100, required=False)
    before = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput())

    def __init__(self, *args, units=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", _("All kinds")), *CustomerKind.choices]
        self.fields["status"].choices = [("", _("All statuses")), *AdmissionStatus.choices]
        self.fields["org"].choices = [("", _("All org units"))] + [(u.code, u.name) for u in units]
