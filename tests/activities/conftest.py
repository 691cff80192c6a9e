import pytest
from tests.api.conftest import ApiClient


@pytest.fixture
def api(world):
    return ApiClient(world)
