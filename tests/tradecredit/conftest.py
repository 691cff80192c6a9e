"""Trade credit's fixtures (cw, ctw, English pages) come from credit_world beside them."""

from tests.tradecredit.credit_world import ctw, cw, english  # noqa: F401
