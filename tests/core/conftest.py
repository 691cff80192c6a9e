"""Shared fixtures for the core tests: `api` (the REST client) and `english` (not autouse: the service
test modules ask for it with pytestmark)."""

from tests._fixtures.api import api  # noqa: F401
from tests._fixtures.services import english  # noqa: F401
