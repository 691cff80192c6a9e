"""Credit limits (L-1, L-2, L-6): the monthly recalculation after grading, approval of increases, manual changes.

The recalculation is set-based, like the grading run it follows: per chunk of customer ids one INSERT ... SELECT
creates missing accounts and one SELECT computes every graded customer's new limit in SQL (exact integer
cents, rounded once, the same arithmetic as ``rules.credit_limit_from_sales``) and returns only the customers
whose limit, term or grade moves; the writes are bulk statements. A decrease takes effect at once, an increase
becomes a pending ``LimitChange`` (L-6). Re-running a period changes nothing more (the limits already equal
the formula, and a proposal decided in the period is not raised again).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import connection, transaction
from django.db.models import Max, Min
from django.utils import timezone
from django.utils.translation import gettext as _

from kehu.core.audit import audit_record
from kehu.core.errors import (
    InvalidInput,
    InvalidTransition,
    NotFound,
    PermissionDenied,
    SelfApprovalNotAllowed,
)
from kehu.core.inputs import amount as parse_amount
from kehu.core.models import OrgUnit, User
from kehu.core.params import get_param
from kehu.core.periods import parse_period
from kehu.core.selectors import access_for
from kehu.customers.models import Customer, CustomerKind
from kehu.grading.models import GradeResult
from kehu.trade.models import SalesRecord
from kehu.tradecredit import rules
from kehu.tradecredit.events import TradeCreditEvent
from kehu.tradecredit.models import ChangeStatus, CreditAccount, CreditLimit, LimitChange
from kehu.tradecredit.permissions import TradeCreditPerm
from kehu.tradecredit.services._common import (
    actor_or_none,
    cents,
    check_customer_scope,
    col,
    customer_for,
    from_cents,
    lock_account,
    note_text,
    table,
)

RULE_VERSION = "L-2/2026.1"
BATCH = 500  # ids per IN (...) list: stays under SQLite's bound-parameter limit
_GRADE = re.compile(r"^[A-Z]$")


# ------------------------------------------------------------------ policy


@dataclass(frozen=True)
class LimitPolicy:
    """The parameters in force for a period, validated once per recalculation."""

    coef_by_grade: dict[str, Decimal]
    term_by_grade: dict[str, int]
    seasonal_factor: Decimal
    sales_months: int
    min_sales_months: int
    no_credit_kinds: tuple[str, ...]

    def factor(self, grade: str):
        return rules.limit_factor(term_days=self.term_by_grade.get(grade, 0),
                                  coef=self.coef_by_grade.get(grade, Decimal(0)),
                                  seasonal_factor=self.seasonal_factor)

    def as_basis(self) -> dict[str, Any]:
        return {"coef_by_grade": {k: str(v) for k, v in sorted(self.coef_by_grade.items())},
                "term_by_grade": dict(sorted(self.term_by_grade.items())),
                "seasonal_factor": str(self.seasonal_factor), "sales_months": self.sales_months,
                "min_sales_months": self.min_sales_months, "no_credit_kinds": list(self.no_credit_kinds)}


def _decimal(value: Any, what: str) -> Decimal:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise InvalidInput(_("The parameter %(what)s is not a number.") % {"what": what}) from None
    if not number.is_finite() or number < 0 or number > 100:
        raise InvalidInput(_("The parameter %(what)s is out of range.") % {"what": what})
    return number


def limit_policy(on: date) -> LimitPolicy:
    coef = {str(k): _decimal(v, "trade.credit_coef_by_grade") for k, v in
            dict(get_param("trade.credit_coef_by_grade", on=on)).items()}
    term = {}
    for k, v in dict(get_param("trade.credit_term_days_by_grade", on=on)).items():
        if isinstance(v, bool) or not isinstance(v, int) or not 0 <= v <= 3650:
            raise InvalidInput(_("The parameter %(what)s is out of range.") % {"what": "trade.credit_term_days_by_grade"})
        term[str(k)] = v
    if any(not _GRADE.match(g) for g in (*coef, *term)):
        raise InvalidInput(_("Grades in the credit parameters must be single capital letters."))
    seasonal = _decimal(get_param("trade.credit_seasonal_factor", on=on), "trade.credit_seasonal_factor")
    low, high = (_decimal(v, "trade.credit_seasonal_factor_range")
                 for v in get_param("trade.credit_seasonal_factor_range", on=on))
    if not low <= seasonal <= high:  # L-3: at most ±50 per cent for peak or low season
        raise InvalidInput(_("The seasonal factor %(f)s is outside %(low)s–%(high)s (L-3).") % {
            "f": seasonal, "low": low, "high": high})
    kinds = tuple(k for k in get_param("trade.credit_no_credit_kinds", on=on) if k in CustomerKind.values)
    months = int(get_param("trade.credit_sales_months", on=on))
    if not 1 <= months <= 60:
        raise InvalidInput(_("The parameter %(what)s is out of range.") % {"what": "trade.credit_sales_months"})
    return LimitPolicy(coef_by_grade=coef, term_by_grade=term, seasonal_factor=seasonal, sales_months=months,
                       min_sales_months=max(1, int(get_param("trade.credit_min_sales_months", on=on))),
                       no_credit_kinds=kinds)


# ------------------------------------------------------------------ the set-based recalculation


@dataclass
class RecalcResult:
    period: date
    graded: int = 0
    decreased: int = 0
    requested: int = 0
    superseded: int = 0
    regraded: int = 0
    skipped: str = ""
    chunks: int = 0
    policy: dict = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"period": self.period.isoformat(), "graded": self.graded, "decreased": self.decreased,
                "requested": self.requested, "superseded": self.superseded, "regraded": self.regraded,
                "skipped": self.skipped}


def _months_back(period: date, n: int) -> date:
    index = period.year * 12 + period.month - 1 - n
    return date(index // 12, index % 12 + 1, 1)


def _idiv(a: str, b: str) -> str:
    # integer division of non-negative integers; PostgreSQL sums bigints into numeric
    return f"div(({a}), ({b}))" if connection.vendor == "postgresql" else f"(({a}) / ({b}))"


def _limit_cents_sql(policy: LimitPolicy) -> str:
    """CASE expression of the new limit in cents from ``s.total`` (cents) and ``s.months``: for each grade,
    round_half_up(total × p / (months × q)) with p/q = term/30 × coef × seasonal, split into whole and
    remainder so that no intermediate product outgrows a 64-bit integer on SQLite."""
    kinds = ", ".join("'" + k + "'" for k in policy.no_credit_kinds) or "''"
    whens = []
    for grade in sorted(policy.coef_by_grade.keys() | policy.term_by_grade.keys()):
        factor = policy.factor(grade)
        if factor == 0:
            continue
        p, q = factor.numerator, factor.denominator
        d = f"(s.months * {q})"
        whole = _idiv("s.total", d)
        rest = f"(s.total - {whole} * {d})"
        whens.append(f"WHEN s.grade = '{grade}' THEN {whole} * {p} + {_idiv(f'2 * {rest} * {p} + {d}', f'2 * {d}')}")
    body = " ".join(whens) or "WHEN 1 = 0 THEN 0"
    return (f"CASE WHEN s.kind IN ({kinds}) OR s.months < {policy.min_sales_months} OR s.total <= 0 THEN 0 "
            f"{body} ELSE 0 END")


def _term_sql(policy: LimitPolicy) -> str:
    whens = " ".join(f"WHEN n.grade = '{g}' THEN {int(t)}" for g, t in sorted(policy.term_by_grade.items()) if t > 0)
    return f"CASE WHEN n.new_cents = 0 THEN 0 {whens} ELSE 0 END" if whens else "0"


def changed_rows_sql(policy: LimitPolicy, period: date, lo: int, hi: int) -> tuple[str, list]:
    """The graded customers of [lo, hi) with something to apply, propose or supersede."""
    sr, gr, cu, acc, chg = table(SalesRecord), table(GradeResult), table(Customer), table(CreditAccount), \
        table(LimitChange)
    s_cust, s_period = col(SalesRecord, "customer"), col(SalesRecord, "period")

    def same_change(statuses: str) -> str:
        """1 when this period already has a change proposing exactly the new limit and term in ``statuses``."""
        return (f"CASE WHEN EXISTS (SELECT 1 FROM {chg} x WHERE x.{col(LimitChange, 'account')} = t.account_id "
                f"AND x.{col(LimitChange, 'period')} = %s AND x.{col(LimitChange, 'status')} IN {statuses} "
                f"AND {cents('x.' + col(LimitChange, 'proposed_amount'))} = t.new_cents "
                f"AND x.{col(LimitChange, 'term_days')} = t.new_term) THEN 1 ELSE 0 END")

    # s: figures per graded customer; n: the new limit in cents; t: the term, 0 where the limit is 0 (cash
    # before delivery); u, v: what the outcome applies now and whether it proposes more (rules.recalc_outcome);
    # only the customers with something to do come back: a re-run of the period returns nothing.; t: the term, which is 0 where the limit is 0 (cash before delivery)
    sql = f"""
    WITH m AS (
        SELECT {s_cust} AS cid, {s_period} AS month, SUM({cents(col(SalesRecord, 'amount'))}) AS c
        FROM {sr}
        WHERE {s_period} >= %s AND {s_period} < %s AND {s_cust} >= %s AND {s_cust} < %s
        GROUP BY {s_cust}, {s_period}
        HAVING SUM({cents(col(SalesRecord, 'amount'))}) > 0
    ), agg AS (SELECT cid, SUM(c) AS total, COUNT(*) AS months FROM m GROUP BY cid),
    s AS (
        SELECT g.{col(GradeResult, 'customer')} AS customer_id, g.{col(GradeResult, 'grade')} AS grade,
               c.{col(Customer, 'kind')} AS kind, COALESCE(agg.total, 0) AS total,
               COALESCE(agg.months, 0) AS months, a.id AS account_id,
               {cents('a.' + col(CreditAccount, 'limit_amount'))} AS cur_cents,
               a.{col(CreditAccount, 'term_days')} AS cur_term, a.{col(CreditAccount, 'grade')} AS cur_grade,
               CASE WHEN EXISTS (SELECT 1 FROM {chg} x WHERE x.{col(LimitChange, 'account')} = a.id
                                 AND x.{col(LimitChange, 'status')} = 'pending') THEN 1 ELSE 0 END AS has_pending
        FROM {gr} g
        JOIN {cu} c ON c.id = g.{col(GradeResult, 'customer')}
        JOIN {acc} a ON a.{col(CreditAccount, 'customer')} = g.{col(GradeResult, 'customer')}
        LEFT JOIN agg ON agg.cid = g.{col(GradeResult, 'customer')}
        WHERE g.{col(GradeResult, 'period')} = %s AND g.{col(GradeResult, 'customer')} >= %s
          AND g.{col(GradeResult, 'customer')} < %s
    ), n AS (SELECT s.*, {_limit_cents_sql(policy)} AS new_cents FROM s),
    t AS (SELECT n.*, {_term_sql(policy)} AS new_term FROM n),
    u AS (
        SELECT t.*,
               CASE WHEN new_cents < cur_cents THEN new_cents ELSE cur_cents END AS app_cents,
               CASE WHEN new_term < cur_term THEN new_term ELSE cur_term END AS app_term,
               {same_change("('pending')")} AS pending_same,
               {same_change("('approved', 'rejected')")} AS decided_same
        FROM t
    ), v AS (
        SELECT u.*, CASE WHEN new_cents <> app_cents OR new_term <> app_term THEN 1 ELSE 0 END AS proposal FROM u
    )
    SELECT customer_id, account_id, grade, kind, total, months, new_cents, new_term, cur_cents, cur_term, cur_grade
    FROM v
    WHERE app_cents <> cur_cents OR app_term <> cur_term OR grade <> cur_grade
       OR (has_pending = 1 AND NOT (proposal = 1 AND pending_same = 1))
       OR (proposal = 1 AND pending_same = 0 AND decided_same = 0)
    ORDER BY account_id
    """
    start = _months_back(period, policy.sales_months)
    return sql, [start, period, lo, hi, period, lo, hi, period, period]


def _create_missing_accounts(period: date, lo: int, hi: int) -> None:
    g_cust = col(GradeResult, "customer")
    missing = (f"FROM {table(GradeResult)} g WHERE g.{col(GradeResult, 'period')} = %s AND g.{g_cust} >= %s "
               f"AND g.{g_cust} < %s AND NOT EXISTS (SELECT 1 FROM {table(CreditAccount)} a "
               f"WHERE a.{col(CreditAccount, 'customer')} = g.{g_cust})")
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            # Same lock order as the order check (customer, then account): the new accounts' foreign keys
            # are checked against the customers at commit, which would otherwise wait for an order holding
            # a customer while it waits for our uncommitted account.
            cur.execute(f"SELECT c.id FROM {table(Customer)} c WHERE c.id IN (SELECT g.{g_cust} {missing}) "
                        f"ORDER BY c.id FOR KEY SHARE", [period, lo, hi])
        cur.execute(
            f"INSERT INTO {table(CreditAccount)} ({col(CreditAccount, 'customer')}, "
            f"{col(CreditAccount, 'limit_amount')}, {col(CreditAccount, 'term_days')}, {col(CreditAccount, 'grade')}, "
            f"{col(CreditAccount, 'updated_at')}) "
            f"SELECT g.{g_cust}, 0, 0, g.{col(GradeResult, 'grade')}, %s {missing}", [timezone.now(), period, lo, hi])


def _batches(ids: list[int]):
    for i in range(0, len(ids), BATCH):
        yield ids[i:i + BATCH]


def _basis(period: date, policy: LimitPolicy, row: tuple, start: date) -> dict[str, Any]:
    _cid, _aid, grade, kind, total, months, new_cents, new_term, *_rest = row
    total_amount = from_cents(total)
    reason = ""
    if kind in policy.no_credit_kinds:
        reason = "no_credit_kind"
    elif int(months) < policy.min_sales_months or total_amount <= 0:
        reason = "first_time_buyer"
    elif policy.factor(grade) == 0:
        reason = "grade_without_credit"
    return {
        "rule": "L-2", "period": period.strftime("%Y-%m"), "grade": grade, "kind": kind,
        "sales_from": start.strftime("%Y-%m"), "sales_to": _months_back(period, 1).strftime("%Y-%m"),
        "sales_total": str(total_amount), "months_with_sales": int(months),
        "avg_monthly_sales": str(rules.average_monthly_sales(total_amount, int(months))),
        "coef": str(policy.coef_by_grade.get(grade, Decimal(0))), "term_days": int(new_term),
        "seasonal_factor": str(policy.seasonal_factor), "limit": str(from_cents(new_cents)), "no_credit_reason": reason,
    }


def recalc_chunk(*, actor: User | None, period: date, policy: LimitPolicy, lo: int, hi: int, today: date,
                 result: RecalcResult) -> None:
    """Recalculate the graded customers with ids in [lo, hi) in one transaction."""
    start = _months_back(period, policy.sales_months)
    by = actor_or_none(actor)
    now = timezone.now()
    with transaction.atomic():
        _create_missing_accounts(period, lo, hi)
        if connection.features.has_select_for_update:
            # Lock the chunk's accounts in primary-key order before reading them: an order being checked holds
            # one of them and then the audit head, and so do we (the audit row is written last), so no cycle
            # can form. (SQLite: the IMMEDIATE transaction already holds the database's write lock.)
            list(CreditAccount.objects.select_for_update().filter(customer_id__gte=lo, customer_id__lt=hi)
                 .order_by("pk").values_list("pk", flat=True))
        sql, params = changed_rows_sql(policy, period, lo, hi)
        with connection.cursor() as cur:
            if connection.vendor == "postgresql":
                # As in the grading chunk: the estimate of the grouped CTEs crosses jit_above_cost, and compiling
                # cost more than it saved (50,000 customers: 2.4-3.3 s with JIT, 2.1 s without, same run).
                cur.execute("SET LOCAL jit = off")
            cur.execute(sql, params)
            rows = cur.fetchall()
        if not rows:
            return
        ids = [row[1] for row in rows]
        pending, decided = {}, set()
        for batch in _batches(ids):
            pending.update({c.account_id: c for c in LimitChange.objects.filter(
                account_id__in=batch, status=ChangeStatus.PENDING)})
            decided.update(LimitChange.objects.filter(
                account_id__in=batch, period=period, status__in=[ChangeStatus.APPROVED, ChangeStatus.REJECTED])
                .values_list("account_id", "proposed_amount", "term_days"))
        to_close: list[int] = []
        new_limits: list[CreditLimit] = []
        new_changes: list[LimitChange] = []
        supersede: list[int] = []
        changed_accounts: list[CreditAccount] = []
        regraded: list[CreditAccount] = []
        decreased, requested = [], []
        for row in rows:
            customer_id, account_id, grade, _kind, _total, _months, new_cents, new_term, cur_cents, cur_term, \
                cur_grade = row
            current_amount, current_term = from_cents(cur_cents), int(cur_term)
            new_amount, new_term = from_cents(new_cents), int(new_term)
            (amount, term), proposal = rules.recalc_outcome(current_amount=current_amount, current_term=current_term,
                                                            new_amount=new_amount, new_term=new_term)
            basis = _basis(period, policy, row, start)
            old = pending.get(account_id)
            if (amount, term) != (current_amount, current_term):
                to_close.append(account_id)
                new_limits.append(CreditLimit(account_id=account_id, amount=amount, term_days=term, grade=grade,
                                              period=period, basis={**basis, "applied": "decrease"},
                                              rule_version=RULE_VERSION, valid_from=today))
                decreased.append([customer_id, str(current_amount), str(amount), current_term, term])
                changed_accounts.append(CreditAccount(pk=account_id, limit_amount=amount, term_days=term, grade=grade,
                                                      limit_valid_from=today, updated_at=now))
            elif grade != cur_grade:
                regraded.append(CreditAccount(pk=account_id, grade=grade, updated_at=now))
            keep_old = False
            if proposal is not None:
                same = (old is not None and old.period == period and old.proposed_amount == proposal[0]
                        and old.term_days == proposal[1] and old.current_amount == amount)
                if same:
                    keep_old = True
                elif (account_id, proposal[0], proposal[1]) not in decided:
                    new_changes.append(LimitChange(
                        account_id=account_id, current_amount=amount, proposed_amount=proposal[0],
                        term_days=proposal[1], grade=grade, period=period, basis=basis, requested_by=by))
                    requested.append([customer_id, str(amount), str(proposal[0]), proposal[1]])
            if old is not None and not keep_old:
                supersede.append(old.pk)
        for batch in _batches(to_close):
            CreditLimit.objects.filter(account_id__in=batch, valid_to__isnull=True).update(valid_to=today)
        for batch in _batches(supersede):
            LimitChange.objects.filter(pk__in=batch, status=ChangeStatus.PENDING).update(
                status=ChangeStatus.SUPERSEDED, decided_at=now)
        CreditLimit.objects.bulk_create(new_limits, batch_size=BATCH)
        LimitChange.objects.bulk_create(new_changes, batch_size=BATCH)
        CreditAccount.objects.bulk_update(changed_accounts, ["limit_amount", "term_days", "grade", "limit_valid_from",
                                                             "updated_at"], batch_size=BATCH)
        CreditAccount.objects.bulk_update(regraded, ["grade", "updated_at"], batch_size=BATCH)
        result.decreased += len(decreased)
        result.requested += len(requested)
        result.superseded += len(supersede)
        result.regraded += len(regraded)
        if decreased or requested or supersede:
            # One row per chunk with every change (the per-customer history is in CreditLimit/LimitChange);
            # a row per customer would cost four statements each on the shared, locked audit chain.
            audit_record(actor=actor, event_code=TradeCreditEvent.LIMITS_CHANGED, object_type="credit_recalc",
                         object_id=period.strftime("%Y-%m"),
                         new={"period": period.isoformat(), "customer_ids": [lo, hi], "decreased": decreased,
                              "requested": requested, "superseded": len(supersede)})


def _root_path() -> str:
    root = OrgUnit.objects.filter(parent__isnull=True).order_by("pk").first()
    return root.path if root else "/"


def _require_company_wide(actor: User | None, perm: str) -> None:
    if actor is None:
        return
    access = access_for(actor)
    if not access.has(perm) or not access.reaches(perm, org_path=_root_path()):
        raise PermissionDenied()


def credit_limits_recalculate(
    *, actor: User | None, period: Any, chunk_size: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> RecalcResult:
    """L-6: recalculate every graded customer's limit for ``period`` (after its grading run closed).

    Each chunk of customer ids commits on its own, so a killed run re-run completes the rest and repeats
    nothing. A period older than the latest recalculated one is skipped: its grades are history."""

    _require_company_wide(actor, TradeCreditPerm.RECALC)
    period = parse_period(period)
    result = RecalcResult(period=period)
    if (CreditLimit.objects.filter(period__gt=period).exists()
            or LimitChange.objects.filter(period__gt=period).exists()):
        result.skipped = "later_period"
        return result
    policy = limit_policy(period)
    result.policy = policy.as_basis()
    size = int(chunk_size or get_param("trade.recalc_chunk_size"))
    if size < 1:
        raise InvalidInput(_("The chunk size must be at least 1."), field="chunk_size")
    span = GradeResult.objects.filter(period=period).aggregate(lo=Min("customer_id"), hi=Max("customer_id"))
    today = timezone.localdate()
    if span["lo"] is not None:
        lo, last = span["lo"], span["hi"]
        while lo <= last:
            recalc_chunk(actor=actor, period=period, policy=policy, lo=lo, hi=lo + size, today=today, result=result)
            result.chunks += 1
            lo += size
            if progress:
                progress(min(lo, last + 1) - span["lo"], last + 1 - span["lo"])
    result.graded = GradeResult.objects.filter(period=period).count()
    with transaction.atomic():
        audit_record(actor=actor, event_code=TradeCreditEvent.LIMITS_RECALCULATED, object_type="credit_recalc",
                     object_id=period.strftime("%Y-%m"), new={**result.as_dict(), "policy": result.policy,
                                                               "rule_version": RULE_VERSION})
    return result


# ------------------------------------------------------------------ approvals and manual changes


def recalculate_after_grading(*, actor: User | None, period: date, **_signal: object) -> RecalcResult:
    """Limits follow the new grades as soon as a month's grading run is closed (credit.recalc_after_grading):
    the receiver of ``kehu.grading.signals.run_closed``."""
    return credit_limits_recalculate(actor=actor, period=period)


def _apply_limit(account: CreditAccount, *, amount: Decimal, term: int, grade: str, period: date | None,
                 basis: dict, approved_by: User | None, today: date) -> CreditLimit:
    """Close the limit in force and put ``amount``/``term`` in force from today (the account is locked)."""
    CreditLimit.objects.filter(account=account, valid_to__isnull=True).update(valid_to=today)
    limit = CreditLimit.objects.create(account=account, amount=amount, term_days=term, grade=grade, period=period,
                                       basis=basis, rule_version=RULE_VERSION, valid_from=today,
                                       approved_by=actor_or_none(approved_by))
    account.limit_amount, account.term_days, account.limit_valid_from = amount, term, today
    if grade:
        account.grade = grade
    account.save(update_fields=["limit_amount", "term_days", "grade", "limit_valid_from", "updated_at"])
    return limit


def _change_for(actor: User, change_id: Any, perm: str) -> LimitChange:
    try:
        pk = int(change_id)
    except (TypeError, ValueError):
        raise NotFound() from None
    change = LimitChange.objects.select_related("account__customer").filter(pk=pk).first()
    if change is None:
        raise NotFound()
    check_customer_scope(actor, change.account.customer, perm)
    return change


def _decide(actor: User, change_id: Any, note: str, *, approve: bool) -> LimitChange:
    if actor is None or not actor.pk:
        raise PermissionDenied()
    change = _change_for(actor, change_id, TradeCreditPerm.LIMIT_APPROVE)
    account = lock_account(change.account.customer_id)
    change = LimitChange.objects.select_for_update().get(pk=change.pk)
    if change.status != ChangeStatus.PENDING:
        raise InvalidTransition(_("This limit change is %(status)s, not pending.") % {
            "status": change.get_status_display()})
    if change.requested_by_id == actor.pk:  # four eyes (L-6): an increase is approved by someone else
        raise SelfApprovalNotAllowed()
    today = timezone.localdate()
    change.status = ChangeStatus.APPROVED if approve else ChangeStatus.REJECTED
    change.decided_by, change.decided_at, change.decision_note = actor, timezone.now(), note
    change.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    old = {"limit": str(account.limit_amount), "term_days": account.term_days}
    if approve:
        limit = _apply_limit(account, amount=change.proposed_amount, term=change.term_days,
                             grade=change.grade, period=change.period,
                             basis={**change.basis, "applied": "approved_increase", "change_id": change.pk},
                             approved_by=actor, today=today)
        audit_record(actor=actor, event_code=TradeCreditEvent.LIMIT_CHANGE_APPROVED, object_type="credit_limit_change",
                     object_id=change.pk, customer_id=account.customer_id, old=old,
                     new={"limit": str(limit.amount), "term_days": limit.term_days, "limit_id": limit.pk,
                          "note": note})
    else:
        audit_record(actor=actor, event_code=TradeCreditEvent.LIMIT_CHANGE_REJECTED, object_type="credit_limit_change",
                     object_id=change.pk, customer_id=account.customer_id, old=old,
                     new={"proposed": str(change.proposed_amount), "term_days": change.term_days}, reason=note)
    return change


@transaction.atomic
def limit_change_approve(*, actor: User, change_id: Any, note: str = "") -> LimitChange:
    """L-6: put a pending increase in force (finance or general manager, not whoever asked for it)."""
    return _decide(actor, change_id, note_text(note), approve=True)


@transaction.atomic
def limit_change_reject(*, actor: User, change_id: Any, note: str) -> LimitChange:
    """Refuse a pending increase, with a reason; the period's recalculation will not raise it again."""
    return _decide(actor, change_id, note_text(note, required=True), approve=False)


@dataclass
class LimitSetResult:
    limit: CreditLimit | None
    change: LimitChange | None


def _term(value: Any) -> int:
    if isinstance(value, bool):
        raise InvalidInput(_("term_days must be a whole number of days."), field="term_days")
    try:
        term = int(str(value).strip())
    except (TypeError, ValueError):
        raise InvalidInput(_("term_days must be a whole number of days."), field="term_days") from None
    if not 0 <= term <= 365:
        raise InvalidInput(_("term_days must be between 0 and 365."), field="term_days")
    return term


@transaction.atomic
def credit_limit_set(*, actor: User, customer_id: Any, amount: Any, term_days: Any, reason: str) -> LimitSetResult:
    """Change a customer's limit by hand, with a reason. What lowers the limit or term takes effect at once;
    what raises either becomes a pending change that another authorised person approves (L-6 four eyes)."""
    if actor is None or not actor.pk:
        raise PermissionDenied()
    customer = customer_for(actor, customer_id, TradeCreditPerm.LIMIT_SET)
    amt = parse_amount(amount, "amount", required=True)
    assert amt is not None
    term = _term(term_days)
    reason = note_text(reason, "reason", required=True)
    account = lock_account(customer.pk)
    today = timezone.localdate()
    (applied_amount, applied_term), proposal = rules.recalc_outcome(
        current_amount=account.limit_amount, current_term=account.term_days, new_amount=amt, new_term=term)
    basis = {"rule": "manual", "reason": reason, "limit": str(amt), "term_days": term}
    old = {"limit": str(account.limit_amount), "term_days": account.term_days}
    limit = change = None
    pending = LimitChange.objects.select_for_update().filter(account=account, status=ChangeStatus.PENDING).first()
    if pending is not None:  # a manual decision replaces whatever was waiting
        pending.status, pending.decided_at = ChangeStatus.SUPERSEDED, timezone.now()
        pending.save(update_fields=["status", "decided_at"])
    if (applied_amount, applied_term) != (account.limit_amount, account.term_days):
        limit = _apply_limit(account, amount=applied_amount, term=applied_term, grade="", period=None,
                             basis={**basis, "applied": "manual_decrease"}, approved_by=actor, today=today)
        audit_record(actor=actor, event_code=TradeCreditEvent.LIMIT_SET, object_type="credit_limit", object_id=limit.pk,
                     customer_id=customer.pk, old=old, new={"limit": str(applied_amount), "term_days": applied_term},
                     reason=reason)
    if proposal is not None:
        change = LimitChange.objects.create(account=account, current_amount=account.limit_amount,
                                            proposed_amount=proposal[0], term_days=proposal[1], grade=account.grade,
                                            period=None, basis=basis, requested_by=actor)
        audit_record(actor=actor, event_code=TradeCreditEvent.LIMIT_CHANGE_REQUESTED,
                     object_type="credit_limit_change", object_id=change.pk, customer_id=customer.pk,
                     old={"limit": str(account.limit_amount), "term_days": account.term_days},
                     new={"proposed": str(proposal[0]), "term_days": proposal[1]}, reason=reason)
    if limit is None and change is None and pending is None:
        raise InvalidInput(_("The limit and term are already these."), field="amount", code="unchanged")
    return LimitSetResult(limit=limit, change=change)
