"""Hypothesis stateful test: random sequences of reserve / post / release / repay / expire / line change /
freeze / temporary-line lapse against one line with sub-limits and a group line, with the invariant and
the counters checked against a model after every step."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from tests._fixtures.credit_world import rated_customer

from kehu.core.errors import DomainError
from kehu.credit import services
from kehu.credit.models import CreditLine, CreditUse, LineChange, SubLimit
from kehu.customers import services as customer_services
from kehu.customers.models import GroupMembership

D = Decimal
amounts = st.integers(min_value=1, max_value=1500).map(lambda n: D(n))


def _sum(qs, field):
    return sum((getattr(u, field) for u in qs), D(0))


@pytest.mark.django_db
def test_guard_state_machine(cworld):
    customer = rated_customer(cworld)
    other = rated_customer(cworld)
    group = customer_services.group_create(actor=cworld.bj_office, code="G-S", name="状态集团", org_code="BJ")
    for c in (customer, other):
        customer_services.group_add_member(actor=cworld.bj_office, group_id=group.pk, customer_id=c.pk,
                                           relation="subsidiary")
    cm, approver, risk = cworld.bj_cm, cworld.hq_approver, cworld.hq_risk

    class Guard(RuleBasedStateMachine):
        def __init__(self):
            super().__init__()
            self.atomic = transaction.atomic()
            self.atomic.__enter__()
            gline = services.line_request(actor=cm, group_id=group.pk, line_amount="3000.00")
            self.gline = services.line_approve(actor=approver, line_id=gline.pk)
            today = timezone.localdate()
            self.lines = []
            for c, amount in ((customer, "2000.00"), (other, "2000.00")):
                line = services.line_request(actor=cm, customer_id=c.pk, line_amount=amount,
                                             sub_limits={"loan": "1500.00", "acceptance": "1200.00"},
                                             temp_amount="300.00", temp_valid_to=today + timedelta(days=10))
                self.lines.append(services.line_approve(actor=approver, line_id=line.pk))
            self.uses: list[int] = []

        def teardown(self):
            transaction.set_rollback(True)
            self.atomic.__exit__(None, None, None)

        def _try(self, fn, **kw):
            try:
                with transaction.atomic():
                    return fn(**kw)
            except DomainError:
                return None

        @rule(which=st.integers(0, 1), product=st.sampled_from(["loan", "acceptance"]), amount=amounts)
        def reserve(self, which, product, amount):
            line = CreditLine.objects.get(pk=self.lines[which].pk)
            sub = SubLimit.objects.get(line=line, product=product)
            gline = CreditLine.objects.get(pk=self.gline.pk)
            limit = line.line_amount + (line.temp_amount if line.temp_valid_to and line.temp_valid_to >=
                                        timezone.localdate() else 0)
            member = GroupMembership.objects.filter(customer_id=line.customer_id, group=group).exists()
            fits = (line.status == "active" and (not member or gline.status == "active")
                    and line.used_amount + amount <= limit
                    and sub.outstanding_amount + sub.reserved_amount + amount <= sub.limit_amount
                    and (not member or gline.used_amount + amount <= gline.line_amount))
            use = self._try(services.use_reserve, actor=cm, line_id=line.pk, product=product, amount=str(amount))
            assert (use is not None) == fits, (fits, amount, line.used_amount, limit)
            if use is not None:
                self.uses.append(use.pk)

        @precondition(lambda self: self.uses)
        @rule(i=st.integers(0, 10_000), fraction=st.sampled_from([None, D("0.5"), D("1")]),
              op=st.sampled_from(["post", "release", "repay"]))
        def use_op(self, i, fraction, op):
            use = CreditUse.objects.get(pk=self.uses[i % len(self.uses)])
            base = use.outstanding_amount if op == "repay" else use.reserved_amount
            amount = None if fraction is None else (base * fraction).quantize(D("0.01"))
            if amount is not None and amount <= 0:
                amount = None
            self._try(getattr(services, "use_" + op), actor=cm, use_id=use.pk,
                      amount=None if amount is None else str(amount))

        @rule()
        def expire_reservations(self):
            services.use_expire_due(now=timezone.now() + timedelta(days=30))

        @rule(which=st.integers(0, 2), amount=st.integers(100, 4000))
        def line_change(self, which, amount):
            # a decrease applies at once (approver); an increase is requested by the manager and waits
            line = CreditLine.objects.get(pk=(self.lines + [self.gline])[which].pk)
            actor = approver if amount <= line.line_amount else cm
            self._try(services.line_adjust, actor=actor, line_id=line.pk, line_amount=f"{amount}.00",
                      reason="调整")
            assert CreditLine.objects.get(pk=line.pk).line_amount in (line.line_amount, D(amount))

        @rule(which=st.integers(0, 1), product=st.sampled_from(["loan", "acceptance"]), amount=st.integers(0, 2000))
        def sub_limit_change(self, which, product, amount):
            sub = SubLimit.objects.get(line_id=self.lines[which].pk, product=product)
            actor = approver if amount <= sub.limit_amount else cm
            self._try(services.line_adjust, actor=actor, line_id=self.lines[which].pk,
                      sub_limits={product: f"{amount}.00"}, reason="调整分项")

        @rule(approve=st.booleans())
        def decide_requested_increase(self, approve):
            change = LineChange.objects.filter(status="pending").order_by("?").first()
            if change is not None:
                self._try(services.line_change_approve if approve else services.line_change_reject,
                          actor=approver, change_id=change.pk)

        @rule(which=st.integers(0, 2))
        def freeze_or_unfreeze(self, which):
            line = CreditLine.objects.get(pk=(self.lines + [self.gline])[which].pk)
            if line.status == "active":
                self._try(services.line_freeze, actor=risk, line_id=line.pk, reason="冻结")
            else:
                self._try(services.line_unfreeze, actor=risk, line_id=line.pk, reason="解冻")

        @rule(which=st.integers(0, 1))
        def temp_line_lapses(self, which):
            CreditLine.objects.filter(pk=self.lines[which].pk).update(
                temp_valid_to=timezone.localdate() - timedelta(days=1))
            services.line_expire_due(today=timezone.localdate())

        @rule()
        def membership_change(self):
            # the second customer leaves the group, or joins it again (refused if its uses do not fit)
            if GroupMembership.objects.filter(customer=other, group=group).exists():
                self._try(customer_services.group_remove_member, actor=cworld.bj_office, group_id=group.pk,
                          customer_id=other.pk)
            else:
                gline = CreditLine.objects.get(pk=self.gline.pk)
                mine = CreditUse.objects.filter(customer=other).exclude(status="settled")
                fits = gline.used_amount + _sum(mine, "outstanding_amount") + _sum(mine, "reserved_amount") \
                    <= gline.line_amount + gline.temp_amount
                joined = self._try(customer_services.group_add_member, actor=cworld.bj_office, group_id=group.pk,
                                   customer_id=other.pk, relation="subsidiary")
                assert (joined is not None) == fits

        @invariant()
        def every_members_use_counts_on_the_group_line(self):
            members = GroupMembership.objects.filter(group=group).values_list("customer_id", flat=True)
            live = CreditUse.objects.filter(customer_id__in=list(members)).exclude(status="settled")
            assert set(live.values_list("group_line_id", flat=True)) <= {self.gline.pk}
            outsiders = CreditUse.objects.exclude(customer_id__in=list(members)).exclude(status="settled")
            assert not outsiders.filter(group_line__isnull=False).exists()

        @invariant()
        def outstanding_plus_reserved_within_every_limit(self):
            for line in CreditLine.objects.filter(pk__in=[x.pk for x in self.lines] + [self.gline.pk]):
                assert line.outstanding_amount >= 0 and line.reserved_amount >= 0
                assert line.outstanding_amount + line.reserved_amount <= line.line_amount + line.temp_amount
                field = "line" if line.kind == "customer" else "group_line"
                uses = CreditUse.objects.filter(**{field: line})
                assert line.outstanding_amount == _sum(uses, "outstanding_amount")
                assert line.reserved_amount == _sum(uses, "reserved_amount")
                assert line.exposure_amount == _sum(uses, "exposure_amount")
                for sub in SubLimit.objects.filter(line=line):
                    assert sub.outstanding_amount + sub.reserved_amount <= sub.limit_amount
                    per = uses.filter(product=sub.product)
                    assert sub.outstanding_amount == _sum(per, "outstanding_amount")
                    assert sub.reserved_amount == _sum(per, "reserved_amount")

    run_state_machine_as_test(Guard, settings=settings(
        max_examples=25, stateful_step_count=25, deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]))
