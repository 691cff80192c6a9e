"""Display labels for the credit pages: codes are stored, people read the translated label."""

from django import template

from kehu.credit.models import Product

register = template.Library()


@register.filter
def product_label(code: str) -> str:
    """``loan`` → 贷款; an unknown code is shown as it is rather than hidden."""
    try:
        return Product(code).label
    except ValueError:
        return code
