import pytest
from django.utils import translation

from kehu.core import services as core_services

PASSWORD = "Kehu-test-2026"


def add_service_users(world) -> None:
    for name, org, roles in [
        ("hq_svc_sup", "HQ", ["service_supervisor"]),
        ("bj_svc_sup", "BJ", ["service_supervisor"]),
        ("bj_agent", "BJ", ["service_agent"]),
    ]:
        world.users[name] = core_services.user_create(
            username=name, org_code=org, roles=roles, password=PASSWORD, actor=None
        )


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def sworld(world):
    add_service_users(world)
    return world
