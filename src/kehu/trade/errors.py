"""Errors of the trade facts: a stable ``code`` and a translated message (api.py answers {"code", "message"})."""

from kehu.core.errors import Conflict


class DuplicateReference(Conflict):
    """A reference recorded again with other values where corrections are not allowed, or at the same time."""

    code = "duplicate_reference"


class DeliveryInvoiced(Conflict):
    """An invoiced delivery keeps its quantities and amount, and stays delivered."""

    code = "delivery_invoiced"


class CustomerNotTradable(Conflict):
    """Only a qualified or active customer trades (S9 Ch.2 §2: 合格以上)."""

    code = "customer_not_tradable"
