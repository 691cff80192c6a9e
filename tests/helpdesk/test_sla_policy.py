"""SLA policies chosen by conditions: the pure selection rule (table + Hypothesis) and its use when a
ticket is opened."""

from dataclasses import dataclass
from datetime import datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kehu.core.calendar import SHANGHAI
from kehu.helpdesk import rules, services
from kehu.helpdesk.models import SlaPolicy

NOW = datetime(2025, 9, 30, 16, 0, tzinfo=SHANGHAI)  # Tuesday before National Day


@dataclass
class P:
    pk: int
    kind: str = ""
    priority: str = ""
    customer_grade: str = ""
    channel: str = ""
    customer_id: int | None = None
    active: bool = True


TICKET = {"kind": "complaint", "priority": "high", "customer_grade": "A", "channel": "phone", "customer_id": 7}


@pytest.mark.parametrize("policies, expected", [
    ([], None),
    ([P(1)], 1),
    ([P(1), P(2, kind="complaint")], 2),
    ([P(1, kind="return"), P(2)], 2),  # a non-matching specific policy loses to the catch-all
    ([P(1, kind="complaint"), P(2, priority="high", channel="phone")], 2),  # two conditions beat one
    ([P(1, kind="complaint"), P(2, priority="high")], 1),  # tie: type outranks priority
    ([P(1, kind="complaint", priority="high", customer_grade="A", channel="phone"), P(2, customer_id=7)], 2),
    ([P(1, customer_id=8), P(2)], 2),  # another customer's policy never applies
    ([P(1, kind="complaint", active=False), P(2)], 2),
    ([P(3, kind="complaint"), P(2, kind="complaint")], 2),  # full tie: the older policy
])
def test_select_policy_table(policies, expected):
    chosen = rules.select_policy(policies, **TICKET)
    assert (chosen.pk if chosen else None) == expected


cond = st.fixed_dictionaries({
    "kind": st.sampled_from(["", "complaint", "return", "online"]),
    "priority": st.sampled_from(["", "normal", "high"]),
    "customer_grade": st.sampled_from(["", "A", "B"]),
    "channel": st.sampled_from(["", "phone", "online"]),
    "customer_id": st.sampled_from([None, 7, 8]),
    "active": st.booleans(),
})


@settings(max_examples=300, deadline=None)
@given(st.lists(cond, max_size=12), st.randoms(use_true_random=False),
       st.fixed_dictionaries({"kind": st.sampled_from(["complaint", "return", "online"]),
                              "priority": st.sampled_from(["normal", "high"]),
                              "customer_grade": st.sampled_from(["A", "B", ""]),
                              "channel": st.sampled_from(["phone", "online"]),
                              "customer_id": st.sampled_from([7, 8])}))
def test_select_policy_properties(conds, rnd, ticket):
    policies = [P(i + 1, **c) for i, c in enumerate(conds)]
    chosen = rules.select_policy(policies, **ticket)
    matching = [p for p in policies if p.active and (p.customer_id in (None, ticket["customer_id"])) and all(
        getattr(p, c) in ("", ticket[c]) for c in ("kind", "priority", "customer_grade", "channel"))]
    if not matching:
        assert chosen is None
        return
    assert chosen in matching
    n_set = lambda p: sum(bool(getattr(p, c)) for c in ("kind", "priority", "customer_grade", "channel"))  # noqa: E731
    for p in matching:  # nothing matching is more specific than the chosen one
        assert (p.customer_id is not None, n_set(p)) <= (chosen.customer_id is not None, n_set(chosen))
    shuffled = policies[:]
    rnd.shuffle(shuffled)
    assert rules.select_policy(shuffled, **ticket) is chosen  # order of the rows does not matter


@pytest.mark.django_db
def test_seeded_policies_follow_the_parameters(hworld):
    assert set(SlaPolicy.objects.values_list("kind", flat=True)) == {"", "online"}
    c = hworld.enterprise()
    t = services.ticket_open(actor=hworld.bj_agent, customer_id=c.pk, kind="complaint", subject="s", now=NOW)
    assert t.sla_policy.kind == "" and t.data["sla"]["first_response"] == [4, "working_hours"]
    o = services.ticket_open(actor=hworld.bj_agent, customer_id=c.pk, kind="online", channel="online", subject="s",
                             now=NOW)
    assert o.sla_policy.kind == "online"
    # 2 working hours from Sep 30 16:00: 1.5 h that day, 0.5 h on Oct 9 after the National Day holiday
    assert o.first_response_due == datetime(2025, 10, 9, 9, 0, tzinfo=SHANGHAI)
    assert o.resolution_due == datetime(2025, 10, 9, 17, 30, tzinfo=SHANGHAI)


@pytest.mark.django_db
def test_customer_policy_wins_and_units_apply(hworld):
    c = hworld.enterprise()
    other = hworld.enterprise()
    SlaPolicy.objects.create(name="VIP", customer=c, first_response_amount=1, first_response_unit="working_hours",
                             resolution_amount=3, resolution_unit="calendar_days")
    SlaPolicy.objects.create(name="Urgent phone complaints", kind="complaint", priority="urgent", channel="phone",
                             first_response_amount=30, first_response_unit="calendar_days", resolution_amount=2,
                             resolution_unit="working_hours")
    t = services.ticket_open(actor=hworld.bj_agent, customer_id=c.pk, kind="complaint", priority="urgent",
                             subject="s", now=NOW)
    assert t.sla_policy.name == "VIP" and t.sla_unit == "calendar_days"
    assert t.resolution_due == datetime(2025, 10, 3, 23, 59, 59, tzinfo=SHANGHAI)
    u = services.ticket_open(actor=hworld.bj_agent, customer_id=other.pk, kind="complaint", priority="urgent",
                             subject="s", now=NOW)
    assert u.sla_policy.name == "Urgent phone complaints"
    assert u.resolution_due == datetime(2025, 10, 9, 9, 0, tzinfo=SHANGHAI)  # 1.5 h + 0.5 h after the holiday
    e = services.ticket_open(actor=hworld.bj_agent, customer_id=other.pk, kind="complaint", priority="urgent",
                             channel="email", subject="s", now=NOW)
    assert e.sla_policy.kind == ""  # the urgent policy is for phone entries only


@pytest.mark.django_db
def test_open_rejects_unknown_channel_and_priority(hworld):
    from kehu.core.errors import InvalidInput

    c = hworld.enterprise()
    for kw in ({"channel": "fax"}, {"priority": "extreme"}):
        with pytest.raises(InvalidInput):
            services.ticket_open(actor=hworld.bj_agent, customer_id=c.pk, kind="complaint", subject="s", **kw)
