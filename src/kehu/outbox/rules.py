"""Pure rules of the outbox: retry back-off. No ORM, no clock."""

from __future__ import annotations

from datetime import datetime, timedelta


def next_attempt(*, failed_at: datetime, attempts: int, max_attempts: int, base_minutes: int) -> datetime | None:
    """When to try again after the ``attempts``-th failed attempt, or None when it is given up.

    The first retry waits ``base_minutes``, each later one twice as long as the one before."""
    if attempts >= max_attempts:
        return None
    return failed_at + timedelta(minutes=base_minutes * 2 ** max(0, attempts - 1))
