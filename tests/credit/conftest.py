"""The credit fixtures (cworld, ctworld, English pages) come from the module shared with tests/exposure."""

from tests._fixtures.credit_world import ctworld, cworld, english  # noqa: F401
