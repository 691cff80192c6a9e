"""Display labels for the credit pages: codes are stored, people read the translated label."""

from django import template
from django.utils.translation import gettext_lazy as _

from kehu.credit.models import Product

register = template.Library()


@register.filter
def product_label(code: str) -> str:
    """``loan`` → 贷款; an unknown code is shown as it is rather than hidden."""
    try:
        return Product(code).label
    except ValueError:
        return code


# Which bound the formula proposal (rules.formula_proposal, domain spec B-6) took as the smallest.
BINDING_LABELS = {
    "theory_less_other_banks": _("theoretical line less other banks' lines"),
    "requested": _("the amount requested"),
    "concentration_cap": _("the concentration cap"),
    "sme_revenue_cap": _("the SME revenue cap"),
}


@register.filter
def binding_label(code: str) -> str:
    return BINDING_LABELS.get(code, code)
