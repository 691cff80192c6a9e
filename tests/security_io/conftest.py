"""The security tests of inputs, files and exports use the credit world (approvers, risk officers) too."""

from tests._fixtures.credit_world import cworld  # noqa: F401
