"""The security tests of inputs, files and exports use the credit world (approvers, risk officers) too."""

from tests.exposure.conftest import cworld  # noqa: F401
