import pytest
from django.utils import translation

from kehu.core import services as core_services

PASSWORD = "Kehu-test-2026"


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def hworld(world):
    def user(name, org, roles):
        world.users[name] = core_services.user_create(username=name, org_code=org, roles=roles, password=PASSWORD,
                                                      actor=None)
        setattr(world, name, world.users[name])

    user("bj_agent", "BJ", ["service_agent"])
    user("bj_agent2", "BJ", ["service_agent"])
    user("bj_super", "BJ", ["service_supervisor"])
    user("hq_fin", "HQ", ["finance_officer"])
    user("sh_agent", "SH", ["service_agent"])
    # allowance sign-offs (domain spec S-12)
    user("bj_sales_mgr", "BJ", ["sales_manager"])
    user("bj_sales_mgr2", "BJ", ["sales_manager"])
    user("sh_sales_mgr", "SH", ["sales_manager"])
    user("hq_fin_mgr", "HQ", ["finance_manager"])
    user("hq_gm", "HQ", ["general_manager"])
    user("bj_both", "BJ", ["sales_manager", "finance_manager"])
    return world
