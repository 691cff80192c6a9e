from tests.reception.conftest import api, english, rworld  # noqa: F401  (shared fixtures)
