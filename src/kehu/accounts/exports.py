"""The breach and trigger lists (CLI ``-o`` files and the API), in the caller's scope, streamed."""

from __future__ import annotations

from collections.abc import Iterator

from kehu.accounts.selectors import breaches_visible_to, tasks_visible_to
from kehu.core.rules import mask_id_number


def breach_rows(*, user) -> Iterator[tuple[str, str]]:
    """(txn_id, rule) ordered by txn_id then rule."""
    rows = breaches_visible_to(user).order_by("txn__txn_id", "rule").values_list("txn__txn_id", "rule")
    yield from rows.iterator(chunk_size=10_000)


def trigger_rows(*, user) -> Iterator[tuple[str, int, str, str, str]]:
    tasks = tasks_visible_to(user).order_by("customer_id")
    for task in tasks.iterator(chunk_size=2000):
        yield (mask_id_number(task.customer.id_number or ""), task.customer_id, task.trigger_txn.txn_id,
               task.trigger_date.isoformat(), task.due_date.isoformat())
