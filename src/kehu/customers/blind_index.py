"""The blind index of a customer's resident ID number, kept in this one place (docs/architecture.md, "Blind index").

``Customer.id_number`` is stored encrypted, so an exact lookup matches ``Customer.id_number_hash`` instead: the
keyed hash of the normalised number under the newest key. Every writer sets that column with
``set_id_number_hash``; every lookup by number goes through ``id_number_filter``, which matches the hash under
every configured key, so rows not yet re-keyed still match while keys rotate. ``kehu.core.keys`` re-keys the
column with the other encrypted columns of every model.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.db.models import Q

from kehu.core.crypto import keyring

if TYPE_CHECKING:
    from kehu.customers.models import Customer


def set_id_number_hash(customer: Customer) -> None:
    """Set ``customer.id_number_hash`` from ``customer.id_number`` (None when the customer has no number)."""
    customer.id_number_hash = keyring().blind_index(customer.id_number) if customer.id_number else None


def id_number_indexes(number: str) -> tuple[str, ...]:
    """The blind indexes of a normalised ID number (``rules.clean_resident_id``) under every configured key;
    none for no number. No database access (the import computes them in its worker processes)."""
    return tuple(keyring().blind_indexes(number)) if number else ()


def id_number_filter(*numbers: str, indexes: Iterable[str] = ()) -> Q:
    """The filter for customers whose ID number is one of ``numbers`` (normalised), or whose blind index is
    one of ``indexes`` (computed before with ``id_number_indexes``): ``Customer.objects.filter(id_number_filter(n))``.
    Matches nothing when given neither."""
    found = dict.fromkeys(indexes)
    for number in numbers:
        found.update(dict.fromkeys(id_number_indexes(number)))
    return Q(id_number_hash__in=list(found))
