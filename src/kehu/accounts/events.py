"""Audit event codes of personal account tiers (50xx). Never renumber."""

from django.utils.translation import gettext_lazy as _


class AccountsEvent:
    ACCOUNT_OPENED = 5001
    TRANSACTION_POSTED = 5010
    TRANSACTIONS_INGESTED = 5011
    ACCOUNTS_IMPORTED = 5012
    REMEDIATION_CREATED = 5020
    REMEDIATION_DONE = 5021


LABELS = {
    AccountsEvent.ACCOUNT_OPENED: _("Personal account opened or recorded"),
    AccountsEvent.TRANSACTION_POSTED: _("Account transaction posted"),
    AccountsEvent.TRANSACTIONS_INGESTED: _("Account transactions ingested"),
    AccountsEvent.ACCOUNTS_IMPORTED: _("Personal accounts imported"),
    AccountsEvent.REMEDIATION_CREATED: _("Class III identity remediation task created"),
    AccountsEvent.REMEDIATION_DONE: _("Class III identity remediation completed"),
}
