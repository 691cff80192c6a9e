"""Fixtures of the trade-facts tests: the shared world plus finance officers, and an admitted customer."""

from __future__ import annotations

import pytest

from kehu.core import services as core_services

PASSWORD = "Kehu-test-2026"


def add_fact_users(world) -> None:
    for name, org, role in (("bj_finance", "BJ", "finance_officer"), ("sh_finance", "SH", "finance_officer"),
                            ("hq_finance", "HQ", "finance_officer")):
        if name not in world.users:
            world.users[name] = core_services.user_create(username=name, org_code=org, roles=[role],
                                                          password=PASSWORD, actor=None)


@pytest.fixture
def fworld(world):
    add_fact_users(world)
    return world


@pytest.fixture
def customer(fworld):
    """An admitted (qualified) enterprise of the BJ branch, managed by bj_cm."""
    return fworld.admit(fworld.enterprise())


@pytest.fixture
def no_credit_guard(monkeypatch):
    """Take the trade credit check out of a test about the facts themselves (the customers of these tests have
    no credit limit, so every shipment without an order would be refused); tests of the tie to the check
    install their own guard or use the real one."""
    from kehu.trade.services import facts

    monkeypatch.setattr(facts, "receivable_guard", lambda: None)
