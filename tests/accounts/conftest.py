"""Accounts fixtures on the shared world: a person with accounts of each tier, and posting helpers."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from django.utils import translation

from kehu.accounts import services
from kehu.accounts.rules import SHANGHAI

OPENED = date(2020, 1, 1)


def at(y, m, d, hh=12, mm=0, ss=0) -> datetime:
    """A Shanghai wall-clock time."""
    return datetime(y, m, d, hh, mm, ss, tzinfo=SHANGHAI)


def open_account(world, customer, tier, no, *, identity="face_to_face", channel="counter", by=None, **kw):
    values = {"bound_account_no": "6222000000000001", "bound_kind": "class1", "bound_same_bank": True}
    if tier == "I":
        values = {}
    values.update(kw)
    return services.account_open(actor=by or world.bj_cm, customer_id=customer.pk, account_no=no, tier=tier,
                                 opened_on=OPENED, channel=channel, identity_check=identity, **values).account


def post(world, account_no, txn_id, when, txn_type, amount, *, mode="monitoring", by=None):
    txn = services.parse_txn(txn_id=txn_id, account_no=account_no, posted_at=when,
                             direction=services.rules.DIRECTION_OF[txn_type], type=txn_type, amount=amount)
    return services.transaction_post(actor=by or world.bj_cm, txn=txn, mode=mode)


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def person(world):
    return world.individual()
