"""The retention registry (PIPL Art.19, domain spec PI-5, PI-9, 10.6): the classes of personal data kehu
keeps, and the legal holds that stop their deletion.

Each app registers the data classes it owns, and the holds its records impose, from its AppConfig.ready()
(as it registers its menu entries in kehu.core.nav), so neither core nor the privacy app imports the app
for it. ``kehu.privacy`` keeps one ``RetentionPolicy`` row per data class (period, action, legal basis, seeded
from these defaults and editable in the admin) and its nightly sweeper goes over every registered class.

Two levels:

- ``customer``: the class is the person's archive itself (prospects, former customers). ``expired(cutoff)``
  returns the Customer rows whose period ended before ``cutoff``; the privacy app erases or restricts each
  person (files, ledger for re-application after a restore).
- ``rows``: the class is a table of records about people (complaint files, visitor registrations, survey
  comments). ``expired(cutoff)`` returns those rows still holding personal data; ``apply(queryset, action,
  now)`` anonymises or deletes them in one set-based statement and returns how many rows it changed.
  ``customer_field`` names the path to the customer id, so the rows of a person under a legal hold are kept.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

ANONYMISE, DELETE, RESTRICT = "anonymise", "delete", "restrict"


@dataclass(frozen=True)
class DataClass:
    code: str
    label: Any  # lazy translation
    app: str  # the app that owns the data
    level: str  # "customer" or "rows"
    default_days: int
    default_action: str
    basis: str  # the legal basis of the default period (document, article)
    expired: Callable[[datetime], Any]  # cutoff -> QuerySet of what passed its period
    actions: tuple[str, ...] = (ANONYMISE,)  # the actions the owner can carry out
    apply: Callable[[Any, str, datetime], int] | None = None  # rows level: (queryset, action, now) -> rows changed
    customer_field: str | None = None  # rows level: path to the customer id (None: not about a customer)
    clock: Any = ""  # when the period starts (for the privacy page)
    order: int = 100


@dataclass(frozen=True)
class HoldRule:
    """A law keeps a person's records regardless of any policy (PI-9): complaints open, suitability records
    within their period, anti-money-laundering periods. ``customers(today)`` returns a queryset of the
    customer ids held (``values("customer_id")``-like, one column)."""

    code: str
    label: Any
    app: str
    customers: Callable[[date], Any]


DATA_CLASSES: dict[str, DataClass] = {}
HOLD_RULES: dict[str, HoldRule] = {}


def register_data_class(data_class: DataClass) -> None:
    if data_class.level not in ("customer", "rows"):
        raise ValueError(data_class.level)
    if data_class.default_action not in data_class.actions:
        raise ValueError(f"{data_class.code}: default action {data_class.default_action} not in its actions")
    if data_class.level == "rows" and data_class.apply is None:
        raise ValueError(f"{data_class.code}: a rows-level class needs apply()")
    DATA_CLASSES[data_class.code] = data_class


def register_hold_rule(rule: HoldRule) -> None:
    HOLD_RULES[rule.code] = rule


def data_classes() -> list[DataClass]:
    return sorted(DATA_CLASSES.values(), key=lambda d: (d.order, d.code))


@dataclass(frozen=True)
class SubjectSection:
    """One part of the copy a person receives on an access request (PIPL Art.45: the right to consult and copy
    one's personal information). Each app that keeps records about a person registers the part it owns, so the
    copy holds everything kehu keeps about the person and no app's records are forgotten (the archive,
    contacts, consents and the audit trail are the privacy app's own parts).

    ``rows(customer_id)`` returns the person's records, each a dict of heading -> value in clear (the copy goes
    to the person; it is never shown to staff). ``title`` is the section's heading in the copy: the copy is a
    document in Chinese, as the person's counterparts (receipts, notices) are."""

    code: str
    title: str
    app: str
    rows: Callable[[int], list[dict[str, Any]]]
    order: int = 100


SUBJECT_SECTIONS: dict[str, SubjectSection] = {}


def register_subject_section(section: SubjectSection) -> None:
    SUBJECT_SECTIONS[section.code] = section


def subject_sections() -> list[SubjectSection]:
    return sorted(SUBJECT_SECTIONS.values(), key=lambda s: (s.order, s.code))


def when(value: date | datetime | None) -> str | None:
    """A date or time in a subject section: ISO 8601, or None when the record has none."""
    return value.isoformat() if value is not None else None
