from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation

from kehu.core import services as core_services

PASSWORD = "Kehu-test-2026"
SH = ZoneInfo("Asia/Shanghai")
# A Wednesday before the National Day holiday of 2026 (1-7 October), with the make-up Saturday 10 October.
NOW = datetime(2026, 9, 30, 9, 0, tzinfo=SH)


def at(day: str, hm: str) -> datetime:
    return datetime.fromisoformat(f"{day}T{hm}").replace(tzinfo=SH)


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def rworld(world):
    def user(name, org, roles, **kw):
        world.users[name] = core_services.user_create(username=name, org_code=org, roles=roles, password=PASSWORD,
                                                      actor=None, **kw)

    user("bj_agent", "BJ", ["service_agent"])
    world.bj_agent.email = "bj_agent@example.cn"
    world.bj_agent.save(update_fields=["email"])
    user("bj_agent2", "BJ", ["service_agent"])
    user("bj_super", "BJ", ["service_supervisor"])
    user("bj_super2", "BJ", ["service_supervisor"])
    user("sh_agent", "SH", ["service_agent"])
    return world


@pytest.fixture
def api(rworld):
    from tests._fixtures.api import ApiClient

    return ApiClient(rworld)
