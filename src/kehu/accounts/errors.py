from django.utils.translation import gettext_lazy as _

from kehu.core.errors import Conflict, DomainError


class AccountLimitReached(Conflict):
    """A second Class I, or more Class II/III accounts than the parameter allows."""

    code = "account_limit_reached"
    default_message = _("The person already holds the maximum number of accounts of this class.")


class PostingRefused(DomainError):
    """Gate mode: the posting breaks a rule; ``violations`` says which and the room left."""

    code = "posting_refused"
    http_status = 409
    default_message = _("The transaction is refused by the account's limits.")

    def __init__(self, message=None, *, violations=(), **params):
        super().__init__(message, **params)
        self.violations = list(violations)
        self.problems = [{"rule": v.rule, "remaining": None if v.remaining is None else str(v.remaining_amount)}
                         for v in self.violations]


class Class3Suspended(DomainError):
    code = "class3_suspended"
    http_status = 409
    default_message = _("Class III business is suspended for this person until the overdue identity "
                        "remediation is done.")


class TxnConflict(Conflict):
    code = "txn_id_reused"
    default_message = _("This transaction id was already posted with different values.")
