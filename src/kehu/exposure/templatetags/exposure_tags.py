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
