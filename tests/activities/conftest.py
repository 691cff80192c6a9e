import pytest
from tests._fixtures.api import ApiClient


@pytest.fixture
def api(world):
    return ApiClient(world)
