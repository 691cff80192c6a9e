"""Display labels for the large-credit table: the report basis (rules.report_line) and the validation
problems (rules.validate_report) are stored as codes; the page shows their translated meaning."""

from django import template
from django.utils.translation import gettext_lazy as _

register = template.Library()

BASIS_LABELS = {
    # 银监办发[2009]357号: R-1 .. R-3 in the domain spec
    "mcl": _("maximum comprehensive line"),
    "carried_forward": _("previous line carried forward"),
    "aggregated": _("lines aggregated"),
    "matured": _("matured line still owed"),
    "not_reported": _("not reported"),
}

PROBLEM_LABELS = {
    "header_incomplete": _("Report header incomplete"),
    "invalid_code": _("Invalid unified social credit code"),
    "duplicate_code": _("Credit code reported twice"),
    "line_below_outstanding": _("Line below the outstanding amount"),
    "carried_forward_unflagged": _("Carried-forward line not flagged"),
    "xml_invalid": _("XML does not match the schema"),
}

# The concentration limits checked at month end (rule parameters; domain spec ).
LIMIT_LABELS = {
    "limit.single_borrower_loan_pct_capital": _("Loans to one borrower / net capital"),
    "limit.group_credit_pct_net_capital": _("Credit to one group / net capital"),
    "limit.large_exposure_single_pct_tier1": _("Large exposure to one customer / tier 1 capital"),
    "limit.large_exposure_connected_pct_tier1": _("Large exposure to connected customers / tier 1 capital"),
}

FIELD_LABELS = {
    "org_code": _("Reporting institution code"),
    "year": _("Year"),
    "month": _("Month"),
    "preparer": _("Preparer"),
    "phone": _("Phone"),
    "reviewer": _("Reviewer"),
}


@register.filter
def basis_label(code: str) -> str:
    return BASIS_LABELS.get(code, code)


@register.filter
def problem_label(code: str) -> str:
    return PROBLEM_LABELS.get(code, code)


@register.filter
def field_label(code: str) -> str:
    return FIELD_LABELS.get(code, code)


@register.filter
def limit_label(code: str) -> str:
    """A concentration limit's name instead of its parameter code (an unknown code is shown as it is)."""
    return LIMIT_LABELS.get(code, code)
