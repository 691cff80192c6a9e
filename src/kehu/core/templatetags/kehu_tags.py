"""Template helpers shared by every page: form fields, money, roles, status badges, audit values."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django import template
from django.forms import BoundField
from django.template import Context

from kehu.core.models import Department, Role
from kehu.core.selectors import access_for

register = template.Library()


@register.inclusion_tag("includes/field.html")
def field(bound_field: BoundField, wide: bool = False) -> dict[str, Any]:
    """Render one form field with its label, help text and errors.

    A form may tag a field with ``kinds`` (the customer kinds it applies to); kehu.js hides the
    field for other kinds, and without JavaScript every field stays visible.
    """
    kinds = getattr(bound_field.field, "kinds", None)
    return {"f": bound_field, "kinds": " ".join(kinds) if kinds else "", "wide": wide}


@register.filter
def money(value: Any) -> str:
    """Format an amount with thousands separators and 2 decimals, rounded half up (finance's rule)."""
    if value in (None, ""):
        return ""
    try:
        number = Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    except (InvalidOperation, ValueError):
        return str(value)
    return f"{number:,.2f}"


@register.filter
def role_label(code: str) -> str:
    return str(Role(code).label) if code in Role.values else code


@register.filter
def department_label(code: str) -> str:
    return str(Department(code).label) if code in Department.values else code


# Statuses that mean "good", "waiting" or "bad"; the badge colour follows.
_GOOD = {"qualified", "active", "valid", "filed", "confirmed", "approve", "sales_checked", "office_reviewed",
         "opinions_complete"}
_BAD = {"rejected", "terminated", "expired", "declined", "reject", "exited"}
_WARN = {"returned", "expiring", "pending", "conditional", "return", "draft"}


@register.filter
def tone(status: str) -> str:
    """Return the CSS modifier for a status badge."""
    if status in _GOOD:
        return "good"
    if status in _BAD:
        return "bad"
    if status in _WARN:
        return "warn"
    return "info"


@register.filter
def compact(values: Any) -> str:
    """Render an audit row's old/new values as ``key=value`` pairs on one line."""
    if not values:
        return ""
    if isinstance(values, dict):
        return "; ".join(f"{k}={'' if v is None else v}" for k, v in values.items())
    return str(values)


@register.simple_tag(takes_context=True)
def can(context: Context, perm: str) -> bool:
    """True when the user holds ``perm`` somewhere: ``{% can "audit.view" as can_audit %}``."""

    request = context.get("request")
    user = getattr(request, "user", None)
    return bool(user and user.is_authenticated and access_for(user).has(perm))


@register.simple_tag(takes_context=True)
def active(context: Context, *prefixes: str) -> str:
    """Return "active" when the current view's name starts with one of ``prefixes`` (for the nav)."""
    request = context.get("request")
    match = getattr(request, "resolver_match", None)
    name = match.view_name if match else ""
    return "active" if any(name == p or (p.endswith(":") and name.startswith(p)) for p in prefixes) else ""
