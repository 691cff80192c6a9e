"""The retention sweeper (PI-5, PI-9, domain spec 10.6) over every data class the apps register in
``kehu.core.retention``, each with its ``RetentionPolicy`` row (period, action, legal basis).

- A **dry run** counts, per class, what has passed its period and how much of it is under a legal hold,
  and lists the persons (ids only) whose archive is due. It changes nothing.
- A **real run** acts only on what a dry run reported at least ``privacy.sweep_grace_days`` earlier: a person
  listed by such a report; for a table of rows, the rows that had passed their period at the time of the
  newest such report (set-based: one UPDATE or DELETE per class). It then writes the next report.
- **Legal holds** (PI-9): explicit ``LegalHold`` rows and the apps' hold rules (open complaints, suitability
  records within their period, AML periods). A person due for erasure under a hold is *restricted* instead
  (hidden from pages, exports and analytics); rows of a held person are kept as they are and counted.
- Reports and audit rows hold counts and ids, never personal data in clear.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from kehu.core.audit import audit_record
from kehu.core.models import User
from kehu.core.params import get_param
from kehu.core.retention import DATA_CLASSES, HOLD_RULES, RESTRICT, DataClass, data_classes
from kehu.customers.models import Customer

from . import rules
from .events import PrivacyEvent
from .models import Erasure, LegalHold, RetentionPolicy, SweepRun


def _explicit_holds(today: date):
    return LegalHold.objects.filter(Q(until__isnull=True) | Q(until__gte=today),
                                    released_at__isnull=True).values("customer_id")


def held_q(field: str, today: date) -> Q:
    """A filter on ``field`` (a path to a customer id) matching the persons under any legal hold."""
    q = Q(**{f"{field}__in": _explicit_holds(today)})
    for rule in HOLD_RULES.values():
        q |= Q(**{f"{field}__in": rule.customers(today)})
    return q


def hold_kinds(customer_ids: list[int], today: date) -> dict[int, list[str]]:
    """For the given persons, the kinds of hold each is under (explicit holds by their kind, rules by code)."""
    if not customer_ids:
        return {}
    kinds: dict[int, list[str]] = {}
    for cid, kind in (LegalHold.objects.filter(Q(until__isnull=True) | Q(until__gte=today), released_at__isnull=True,
                                               customer_id__in=customer_ids).values_list("customer_id", "kind")):
        kinds.setdefault(cid, []).append(kind)
    for code, rule in HOLD_RULES.items():
        for cid in Customer.objects.filter(pk__in=customer_ids).filter(pk__in=rule.customers(today)).values_list(
                "pk", flat=True):
            kinds.setdefault(cid, []).append(code)
    return {cid: sorted(set(k)) for cid, k in kinds.items()}


def _policies() -> list[tuple[DataClass, RetentionPolicy]]:
    """(registered class, its active policy) in the registry's order; a class without a policy row is not
    swept (the privacy page shows it)."""
    policies = {p.data_class: p for p in RetentionPolicy.objects.filter(active=True)}
    return [(dc, policies[dc.code]) for dc in data_classes() if dc.code in policies]


def sweep_candidates(now: datetime) -> list[tuple[Customer, RetentionPolicy]]:
    """The persons whose archive has passed its period (customer-level classes), not erased yet."""
    found: list[tuple[Customer, RetentionPolicy]] = []
    erased = Erasure.objects.values("customer_ref")
    for dc, policy in _policies():
        if dc.level != "customer":
            continue
        queryset = dc.expired(now - timedelta(days=policy.period_days)).exclude(pk__in=erased)
        if policy.action == RESTRICT:
            queryset = queryset.filter(pi_restricted=False)
        found.extend((c, policy) for c in queryset.order_by("pk"))
    return found


def _reference_reports(now: datetime, grace: int) -> list[SweepRun]:
    """The reports made at least ``grace`` days before ``now``, newest first: a real run acts on nothing a
    newer report counted first."""
    return list(SweepRun.objects.filter(dry_run=True, started_at__lte=now - timedelta(days=grace)).order_by(
        "-started_at")[:60])


def _reference_for(code: str, reports: list[SweepRun]) -> SweepRun | None:
    return next((r for r in reports if any(c.get("class") == code for c in r.classes)), None)


def _rows_class(dc, policy: RetentionPolicy, *, now: datetime, today: date, dry_run: bool,
                reports: list[SweepRun], actor: User | None) -> dict:
    entry = {"class": dc.code, "action": policy.action, "period_days": policy.period_days}
    expired = dc.expired(now - timedelta(days=policy.period_days))
    entry["expired"] = expired.count()
    entry["held"] = expired.filter(held_q(dc.customer_field, today)).count() if dc.customer_field else 0
    entry["acted"] = 0
    if dry_run:
        return entry
    reference = _reference_for(dc.code, reports)
    if reference is None:
        entry["note"] = "no_report_yet"  # nothing is acted on before a report has listed it
        return entry
    if policy.action not in dc.actions:
        entry["note"] = "action_not_supported"
        return entry
    # only what had passed its period when the reference report was made (that report counted it)
    due = dc.expired(reference.started_at - timedelta(days=policy.period_days))
    if dc.customer_field:
        held = due.filter(held_q(dc.customer_field, today)).values("pk")
        due = due.exclude(pk__in=held)  # by primary key: a row without a customer is never "held"
    with transaction.atomic():
        entry["acted"] = dc.apply(due, policy.action, now)
        if entry["acted"]:
            audit_record(actor=actor, event_code=PrivacyEvent.RETENTION_APPLIED, object_type="retention_policy",
                         object_id=policy.pk, new={"class": dc.code, "action": policy.action,
                                                   "rows": entry["acted"], "held": entry["held"]})
    return entry


def _restrict_many(customer_ids: list[int], kinds: dict[int, list[str]], *, actor: User | None) -> int:
    ids = list(Customer.objects.filter(pk__in=customer_ids, pi_restricted=False).values_list("pk", flat=True))
    if not ids:
        return 0
    Customer.objects.filter(pk__in=ids).update(pi_restricted=True)
    for cid in ids:
        audit_record(actor=actor, event_code=PrivacyEvent.RECORD_RESTRICTED, object_type="customer", object_id=cid,
                     customer_id=cid, new={"holds": kinds.get(cid, [])})
    return len(ids)


def retention_sweep(*, actor: User | None = None, dry_run: bool = True, now: datetime | None = None) -> SweepRun:
    """The nightly sweeper; see the module's docstring."""
    # privacy.services imports privacy.retention: importing it at the top would be a cycle
    from .services import erase_customer

    now = now or timezone.now()
    today = timezone.localdate(now)
    candidates = sweep_candidates(now)
    kinds = hold_kinds([c.pk for c, _p in candidates], today)
    items = [{"customer": c.pk, "policy": p.data_class, "action": p.action, "held": bool(kinds.get(c.pk)),
              "holds": kinds.get(c.pk, [])} for c, p in candidates]
    grace = int(get_param("privacy.sweep_grace_days", on=today))
    reports = [] if dry_run else _reference_reports(now, grace)
    erased = restricted = 0
    if not dry_run:
        listed: dict[int, list[datetime]] = {}
        for run in SweepRun.objects.filter(dry_run=True, started_at__lte=now):
            for item in run.items:
                listed.setdefault(item["customer"], []).append(run.started_at)
        to_restrict = []
        for customer, policy in candidates:
            if not rules.ready_to_act(listed.get(customer.pk, []), now, grace):
                continue
            if kinds.get(customer.pk) or policy.action == RESTRICT:
                to_restrict.append(customer.pk)
                continue
            erase_customer(customer_id=customer.pk, actor=actor, cause=Erasure.Cause.RETENTION, policy=policy,
                           now=now)
            erased += 1
        with transaction.atomic():
            restricted = _restrict_many(to_restrict, kinds, actor=actor)
    classes = [_rows_class(dc, policy, now=now, today=today, dry_run=dry_run, reports=reports, actor=actor)
               for dc, policy in _policies() if dc.level == "rows"]
    with transaction.atomic():
        run = SweepRun.objects.create(started_at=now, dry_run=dry_run, items=items, classes=classes,
                                      erased=erased, restricted=restricted)
        if not dry_run:
            # the counts of this run are also the report the next runs count their grace from
            SweepRun.objects.create(started_at=now, dry_run=True, items=items,
                                    classes=[{**c, "acted": 0} for c in classes])
        audit_record(actor=actor, event_code=PrivacyEvent.SWEEP_DRY_RUN if dry_run else PrivacyEvent.SWEEP_DONE,
                     object_type="retention_sweep", object_id=run.pk,
                     new={"candidates": len(items), "erased": erased, "restricted": restricted,
                          "classes": {c["class"]: [c["expired"], c["held"], c["acted"]] for c in classes}})
    return run


def registered_classes() -> list[dict]:
    """Every registered data class with its policy (or none), for the privacy page."""
    policies = {p.data_class: p for p in RetentionPolicy.objects.all()}
    return [{"dc": dc, "policy": policies.get(dc.code)} for dc in data_classes()]


def unregistered_policies() -> list[RetentionPolicy]:
    """Policy rows no app registers (a typo in the admin, or an app removed): never swept."""
    return list(RetentionPolicy.objects.exclude(data_class__in=list(DATA_CLASSES)))
