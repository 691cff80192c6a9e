"""The inbox: the work waiting for a user, from every module. Each app registers a provider from its
AppConfig.ready() (as it registers its menu entries in kehu.core.nav), so core imports no app for it.

A provider takes the user and returns its sections, already restricted to the user's permissions and data
scope; the dashboard shows them in the providers' order."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kehu.core.models import User

INBOX_ROWS = 10


@dataclass
class InboxRow:
    url: str
    title: str  # the customer (masked as in the archive) or the object the work is about
    detail: str  # what is to be done with it
    status: str = ""
    code: str = ""  # a status code for the badge colour (kehu_tags.tone)
    customer_id: int | None = None


@dataclass
class InboxSection:
    kind: str
    label: object  # a lazy translation
    count: int
    rows: list[InboxRow] = field(default_factory=list)


@dataclass(frozen=True)
class InboxProvider:
    name: str
    sections: Callable[[object], Iterable[InboxSection]]
    order: int = 100


PROVIDERS: list[InboxProvider] = []


def register_inbox(provider: InboxProvider) -> None:
    if all(existing.name != provider.name for existing in PROVIDERS):
        PROVIDERS.append(provider)
        PROVIDERS.sort(key=lambda p: p.order)


def section(kind: str, label: object, items: Any, row: Callable[[Any], InboxRow], limit: int = INBOX_ROWS
            ) -> InboxSection:
    """A section from a queryset or a list: the first ``limit`` rows and the total count (COUNT only when
    there are more rows than shown)."""
    rows = list(items[:limit])
    count = len(rows) if len(rows) < limit else (items.count() if hasattr(items, "count") and not
                                                  isinstance(items, list) else len(items))
    return InboxSection(kind=kind, label=label, count=count, rows=[row(item) for item in rows])


def inbox_for(user: User) -> list[InboxSection]:
    """Every section of every module for ``user``, empty ones included (the dashboard shows their tiles)."""
    sections: list[InboxSection] = []
    for provider in PROVIDERS:
        sections.extend(provider.sections(user))
    return sections
