"""Grading fixtures on top of the shared world: an HQ customer office and risk officer to run grading,
and an approved default scorecard."""

from __future__ import annotations

import pytest

from kehu.core import services as core_services
from kehu.grading.services import policies

PASSWORD = "Kehu-test-2026"


def add_grading_users(world) -> None:
    def user(name, org, roles):
        world.users[name] = core_services.user_create(username=name, org_code=org, roles=roles, password=PASSWORD,
                                                      actor=None)

    user("hq_office", "HQ", ["customer_office"])
    user("hq_risk", "HQ", ["risk_officer"])


@pytest.fixture
def gworld(world):
    add_grading_users(world)
    return world


@pytest.fixture
def policy(gworld):
    draft = policies.policy_create(actor=gworld.hq_office, name="默认评分卡")
    return policies.policy_approve(actor=gworld.hq_committee1, policy_id=draft.pk)
