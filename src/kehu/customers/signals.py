"""Signals other modules answer inside the customers app's transactions.

The customers app does not import the modules built on it; a module that keeps something per customer
group (the group credit line) connects here. Both signals are sent with ``send`` (not ``send_robust``) inside
the service's transaction, so a receiver refuses the change by raising a domain error and nothing is
written. Arguments: ``customer_id``, ``group_id``, ``actor``.
"""

from django.dispatch import Signal

# after the membership row exists
group_member_joined = Signal()
# before the membership row is deleted
group_member_leaving = Signal()
