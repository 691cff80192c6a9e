"""What an app above trade plugs into the recording of facts (issue 12, item 3).

Trade credit sits above grading, which sits above the facts, so the facts cannot import it. A stand-alone
delivery or invoice still has to pass trade credit's check of the new receivable: trade credit registers
that check here in its ``ready()``. Without it (trade credit not installed) a delivery goes unchecked and an
invoice that bills neither goods nor an order is refused (``facts._check_new_receivable``).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Protocol

from kehu.core.models import User


class ReceivableGuard(Protocol):
    def __call__(self, *, customer: Any, amount: Decimal, actor: User | None = None, what: str = ...) -> object: ...


_receivable_guard: ReceivableGuard | None = None


def register_receivable_guard(guard: ReceivableGuard) -> None:
    """Called once by trade credit's ``ready()``: ``guard`` raises when the receivable does not fit."""
    global _receivable_guard
    _receivable_guard = guard


def receivable_guard() -> ReceivableGuard | None:
    return _receivable_guard
