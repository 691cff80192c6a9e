"""Main-menu entries that apps add from their AppConfig.ready(), shown to users holding the permission."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.urls import NoReverseMatch, reverse

if TYPE_CHECKING:
    from kehu.core.selectors import Access


@dataclass(frozen=True)
class NavItem:
    label: object  # a lazy translation
    url_name: str
    perm: str
    order: int = 100


NAV: list[NavItem] = []


def register_nav(item: NavItem) -> None:
    if all(existing.url_name != item.url_name for existing in NAV):
        NAV.append(item)
        NAV.sort(key=lambda i: i.order)


def nav_for(access: Access, path: str) -> list[dict[str, Any]]:
    items = []
    for item in NAV:
        if not access.has(item.perm):
            continue
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:
            continue
        items.append({"label": item.label, "url": url, "active": path.startswith(url)})
    return items


# Dashboard warnings: apps register a callable (request.user, access) -> list of texts to show on top of the
# dashboard (e.g. the backup app warns the system administrator of a stale backup).
WarningProvider = Callable[[Any, "Access"], list[Any]]
DASHBOARD_WARNINGS: list[WarningProvider] = []


def register_dashboard_warning(provider: WarningProvider) -> None:
    if provider not in DASHBOARD_WARNINGS:
        DASHBOARD_WARNINGS.append(provider)


def dashboard_warnings(user: Any, access: Access) -> list[Any]:
    return [text for provider in DASHBOARD_WARNINGS for text in provider(user, access)]


@dataclass(frozen=True)
class DashboardAction:
    """A control at the head of the dashboard (the customers app's quick search and "new customer" button):
    a template included for users holding ``perm``."""

    template: str
    perm: str
    order: int = 100


DASHBOARD_ACTIONS: list[DashboardAction] = []


def register_dashboard_action(action: DashboardAction) -> None:
    if action not in DASHBOARD_ACTIONS:
        DASHBOARD_ACTIONS.append(action)
        DASHBOARD_ACTIONS.sort(key=lambda a: a.order)


def dashboard_actions(access: Access) -> list[str]:
    return [a.template for a in DASHBOARD_ACTIONS if access.has(a.perm)]
