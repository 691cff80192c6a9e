"""Group membership changes and the group line (B-5: a group line caps its members together).

A customer's live uses count against its group's line from the moment both exist: when the customer joins
a group that has a line, when it leaves, and when a group line is approved for members that already
draw. Each path charges or discharges the same set of uses in the transaction that makes the change, so
the group line's counters never miss a member's use and outstanding + reserved ≤ line holds for the group
line at every moment, not just at the member's next drawdown. A change that would overdraw the group line
is refused and nothing is written.

The customers app does not import credit: it sends ``group_member_joined`` / ``group_member_leaving``
(``kehu.customers.signals``) inside its transaction and credit answers here.
"""

from __future__ import annotations

from decimal import Decimal

from django.db.models import F, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from kehu.core.errors import Conflict
from kehu.core.models import User
from kehu.credit import rules
from kehu.credit.errors import CreditRefused
from kehu.credit.models import CreditLine, CreditUse
from kehu.credit.services._base import lock_lines, movement

ZERO = Decimal("0.00")


def live_group_line(group_id: int) -> CreditLine | None:
    return (CreditLine.objects.filter(kind="group", group_id=group_id, status__in=sorted(rules.LIVE_STATUSES))
            .order_by("-pk").first())


def charge_uses_to_group_line(group_line: CreditLine, customer_ids: list[int], *, actor: User | None,
                              reason_code: str, refusal_code: str) -> Decimal:
    """Charge the live uses of ``customer_ids`` that no group line counts yet to ``group_line``, which the
    caller has locked. Refused with ``refusal_code`` if they do not fit; returns the amount charged."""
    uses = list(CreditUse.objects.select_for_update().filter(customer_id__in=customer_ids, group_line__isnull=True)
                .exclude(status="settled").order_by("pk"))
    if not uses:
        return ZERO
    outstanding = sum((u.outstanding_amount for u in uses), ZERO)
    reserved = sum((u.reserved_amount for u in uses), ZERO)
    exposure = sum((u.exposure_amount for u in uses), ZERO)
    limit = rules.effective_limit(group_line.line_amount, group_line.temp_amount, group_line.temp_valid_to,
                                  timezone.localdate())
    in_use = group_line.outstanding_amount + group_line.reserved_amount
    if in_use + outstanding + reserved > limit:
        raise CreditRefused(_(
            "The members' uses (%(used)s) do not fit in the group line (%(limit)s, %(in_use)s already in use); "
            "repay them or raise the group line first.") % {"used": outstanding + reserved, "limit": limit,
                                                            "in_use": in_use}, code=refusal_code)
    CreditUse.objects.filter(pk__in=[u.pk for u in uses]).update(group_line=group_line)
    # The WHERE clause repeats the check on the row itself, so a stale read can never overdraw.
    updated = CreditLine.objects.filter(
        pk=group_line.pk, reserved_amount__lte=limit - F("outstanding_amount") - outstanding - reserved,
    ).update(outstanding_amount=F("outstanding_amount") + outstanding, reserved_amount=F("reserved_amount") + reserved,
             exposure_amount=F("exposure_amount") + exposure, version=F("version") + 1)
    if updated != 1:
        raise Conflict(_("The line changed while the request was checked; try again."), code="guard_conflict")
    group_line.refresh_from_db(fields=["outstanding_amount", "reserved_amount", "exposure_amount", "version"])
    movement(group_line, kind="transfer", amount=outstanding + reserved, actor=actor, reason_code=reason_code,
             reason=_("uses of customers %(ids)s") % {"ids": ", ".join(str(i) for i in sorted(set(customer_ids)))})
    return outstanding + reserved


def on_member_joined(sender, *, customer_id: int, group_id: int, actor: User | None, **kwargs) -> None:
    """The new member's live uses are charged to the group line at once (or the joining is refused)."""
    group_line = live_group_line(group_id)
    if group_line is None:
        return
    group_line = lock_lines([group_line.pk])[group_line.pk]
    charge_uses_to_group_line(group_line, [customer_id], actor=actor, reason_code="member_joined",
                              refusal_code="group_line_exceeded_by_new_member")


def on_member_leaving(sender, *, customer_id: int, group_id: int, actor: User | None, **kwargs) -> None:
    """A leaving member's live uses stop counting against the group's lines."""
    line_ids = list(CreditUse.objects.filter(customer_id=customer_id, group_line__group_id=group_id)
                    .exclude(status="settled").values_list("group_line_id", flat=True).distinct())
    if not line_ids:
        return
    locked = lock_lines(line_ids)
    for line_id, group_line in locked.items():
        uses = CreditUse.objects.select_for_update().filter(customer_id=customer_id, group_line_id=line_id) \
            .exclude(status="settled")
        totals = uses.aggregate(o=Sum("outstanding_amount"), r=Sum("reserved_amount"), e=Sum("exposure_amount"))
        outstanding, reserved, exposure = (totals["o"] or ZERO), (totals["r"] or ZERO), (totals["e"] or ZERO)
        uses.update(group_line=None)
        CreditLine.objects.filter(pk=line_id).update(
            outstanding_amount=F("outstanding_amount") - outstanding, reserved_amount=F("reserved_amount") - reserved,
            exposure_amount=F("exposure_amount") - exposure, version=F("version") + 1)
        group_line.refresh_from_db(fields=["outstanding_amount", "reserved_amount", "exposure_amount", "version"])
        movement(group_line, kind="transfer", amount=outstanding + reserved, actor=actor, reason_code="member_left",
                 reason=_("uses of customers %(ids)s") % {"ids": str(customer_id)})
