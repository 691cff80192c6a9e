"""Writes of bank credit lines and the exposure guard. Import from here."""

from kehu.credit.services.guard import (  # noqa: F401
    use_classify,
    use_expire_due,
    use_post,
    use_release,
    use_repay,
    use_reserve,
    use_set_collateral,
)
from kehu.credit.services.lines import (  # noqa: F401
    line_adjust,
    line_approve,
    line_change_approve,
    line_change_reject,
    line_exit,
    line_expire_due,
    line_freeze,
    line_reject,
    line_request,
    line_unfreeze,
    rating_record,
)
