"""What applying a chunk gives the runner: counts and rejected rows, whose reasons are given in Chinese and
in English (the error file has a column for each)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import translation

from kehu.core.errors import DomainError

LANGUAGES = ("zh-hans", "en")


@dataclass
class Rejection:
    line: int
    cells: list[str]
    # Called once per language with that language active: the row's errors, their messages translated.
    explain: Callable[[], list[DomainError]]


@dataclass
class Outcome:
    counts: dict[str, int] = field(default_factory=lambda: {"created": 0, "updated": 0, "unchanged": 0,
                                                          "rejected": 0})
    rejections: list[Rejection] = field(default_factory=list)

    def reject(self, line: int, cells: list[str], explain: Callable[[], list[DomainError]]) -> None:
        self.counts["rejected"] += 1
        self.rejections.append(Rejection(line, cells, explain))


def describe(error: DomainError) -> str:
    """The message with the stable code and the column, e.g. ``… [invalid_identifier: uscc]``."""
    name = getattr(error, "field", "") or ""
    return f"{error.message} [{error.code}{': ' + name if name else ''}]"


def reasons(rejection: Rejection) -> dict[str, str]:
    """The rejection's reasons in every language of the error file."""
    out = {}
    for language in LANGUAGES:
        with translation.override(language):
            out[language] = "; ".join(describe(e) for e in rejection.explain())
    return out


def attempt(apply: Callable[[], Any]) -> tuple[Any, Callable[[], list[DomainError]] | None]:
    """Run ``apply`` (one row through the services) in a savepoint. On a domain error, run it once more in the
    other language, also rolled back, to have the reason in both: (result, None) or (None, explain)."""
    errors: dict[str, DomainError] = {}
    for language in LANGUAGES:
        try:
            with translation.override(language), transaction.atomic():
                result = apply()
        except DomainError as exc:
            errors[language] = exc
            continue
        # Also when only the second attempt went through (another transaction changed the database in
        # between): that write stands.
        return result, None

    def explain() -> list[DomainError]:
        return [errors["en" if (translation.get_language() or "").startswith("en") else "zh-hans"]]

    return None, explain
