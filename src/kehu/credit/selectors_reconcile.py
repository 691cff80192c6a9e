"""Reconciliation of the guard's counters (read-only)."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import F, Sum

from kehu.credit.models import CreditLine, CreditUse, SubLimit


def reconcile() -> list[dict]:
    problems = []
    for line in CreditLine.objects.filter(outstanding_amount__gt=F("line_amount") + F("temp_amount")
                                          - F("reserved_amount")).values_list("pk", flat=True):
        problems.append({"kind": "over_limit", "line": line})
    for sub in SubLimit.objects.filter(outstanding_amount__gt=F("limit_amount") - F("reserved_amount")):
        problems.append({"kind": "sub_limit_over_limit", "line": sub.line_id, "detail": sub.product})
    sums = {}
    for field in ("line_id", "group_line_id"):
        for r in CreditUse.objects.exclude(**{field: None}).values(field).annotate(
                o=Sum("outstanding_amount"), r=Sum("reserved_amount")).order_by():
            sums[r[field]] = (r["o"], r["r"])
    zero = Decimal(0)
    for pk, o, r in CreditLine.objects.values_list("pk", "outstanding_amount", "reserved_amount"):
        so, sr = sums.get(pk, (zero, zero))
        if Decimal(so) != o or Decimal(sr) != r:
            problems.append({"kind": "counter_mismatch", "line": pk,
                             "detail": f"line {o}/{r}, uses {so}/{sr}"})
    return problems
