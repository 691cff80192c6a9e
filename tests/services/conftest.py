"""Fixtures for the service-level tests."""

from __future__ import annotations

import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def english():
    # Messages are asserted in English whatever translations exist.
    with translation.override("en"):
        yield
