"""Allowances (domain spec S-12) through the services: the band fixed on receipt from the parameters, one
sign-off per required role (sales manager; + finance manager; + general manager), four eyes, one person
signs once, any required approver's rejection rejects, every step audited, and the receivable reduction
written only at final approval (Hypothesis: the reductions always add up)."""

from datetime import date, datetime
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kehu.core.calendar import SHANGHAI
from kehu.core.errors import (
    InvalidInput,
    InvalidTransition,
    NotFound,
    PermissionDenied,
    SelfApprovalNotAllowed,
)
from kehu.core.models import AuditEvent, RuleParameter
from kehu.helpdesk import services
from kehu.helpdesk.allowance import allowance_approval, signable_roles
from kehu.helpdesk.errors import AlreadySigned, EvidenceMissing
from kehu.helpdesk.events import HelpdeskEvent as E
from kehu.helpdesk.models import ReceivableReduction, State, Ticket
from kehu.helpdesk.selectors import receivable_reductions

NOW = datetime(2025, 11, 3, 9, 0, tzinfo=SHANGHAI)
FAR = date(2030, 1, 1)
pytestmark = pytest.mark.django_db


def allowance(w, amount, invoice="1000000.00", customer=None, by=None):
    return services.ticket_open(actor=by or w.bj_agent, customer_id=(customer or w.enterprise()).pk,
                                kind="allowance", subject="折让", amount=amount, invoice_amount=invoice,
                                evidence_document="销货折让证明单 2025-11 (买方盖章)", now=NOW)


def sign(user, t, approve=True, role=""):
    return services.ticket_approve(actor=user, ticket_id=t.pk, approve=approve, role=role, reason="ok", now=NOW)


def signed(t):
    return [(s["username"], s["role"], s["decision"]) for s in Ticket.objects.get(pk=t.pk).data["approval"]["sign_offs"]]


def audits(code, t):
    return AuditEvent.objects.filter(event_code=code, object_type="helpdesk.ticket", object_id=str(t.pk)).count()


@pytest.mark.parametrize("amount, invoice, band", [
    ("10000.00", "1000000.00", 1), ("10000.01", "100000000.00", 2), ("200.00", "10000.00", 2),
    ("100000.00", "2000000.00", 2), ("100000.01", "100000000.00", 3), ("9000.00", "10000.00", 3),
])
def test_band_is_fixed_on_receipt(hworld, amount, invoice, band):
    t = allowance(hworld, amount, invoice)
    approval = t.data["approval"]
    assert approval["band"] == band and approval["sign_offs"] == []
    assert approval["limits"] == [["10000.00", "1"], ["100000.00", "5"]]


def test_band_1_sales_manager_alone(hworld):
    w = hworld
    t = allowance(w, "8000.00")
    t = sign(w.bj_sales_mgr, t)
    assert t.state == State.APPROVED and t.approved_by == w.bj_sales_mgr
    assert signed(t) == [("bj_sales_mgr", "sales_manager", "approved")]
    assert receivable_reductions(t.customer_id, until=FAR) == Decimal("8000.00")
    assert audits(E.ALLOWANCE_SIGNED, t) == 1 and audits(E.TICKET_APPROVED, t) == 1
    with pytest.raises(InvalidTransition):  # nothing left to sign
        sign(w.hq_fin_mgr, t)


def test_band_2_needs_sales_and_finance_in_any_order(hworld):
    w = hworld
    t = allowance(w, "50000.00")  # 5 per cent of ¥1,000,000 and under ¥100,000
    assert t.data["approval"]["required"] == ["sales_manager", "finance_manager"]
    t = sign(w.hq_fin_mgr, t)
    assert t.state == State.RECEIVED and not ReceivableReduction.objects.filter(ticket=t).exists()
    assert audits(E.ALLOWANCE_SIGNED, t) == 1 and audits(E.TICKET_APPROVED, t) == 0
    with pytest.raises(AlreadySigned):  # the same person never signs twice
        sign(w.hq_fin_mgr, t)
    t = sign(w.bj_sales_mgr, t)
    assert t.state == State.APPROVED
    assert signed(t) == [("hq_fin_mgr", "finance_manager", "approved"), ("bj_sales_mgr", "sales_manager", "approved")]
    assert ReceivableReduction.objects.get(ticket=t).reduction_amount == Decimal("50000.00")
    assert audits(E.ALLOWANCE_SIGNED, t) == 2 and audits(E.TICKET_APPROVED, t) == 1
    row = AuditEvent.objects.filter(event_code=E.ALLOWANCE_SIGNED, object_id=str(t.pk)).order_by("pk").first()
    assert row.new_values["role"] == "finance_manager" and row.new_values["outstanding"] == ["sales_manager"]


def test_band_3_needs_the_general_manager_too(hworld):
    w = hworld
    t = allowance(w, "150000.00")
    for user in (w.hq_gm, w.bj_sales_mgr):
        t = sign(user, t)
        assert t.state == State.RECEIVED
    assert receivable_reductions(t.customer_id, until=FAR) == Decimal("0.00")
    t = sign(w.hq_fin_mgr, t)
    assert t.state == State.APPROVED and receivable_reductions(t.customer_id, until=FAR) == Decimal("150000.00")


def test_one_person_holding_two_roles_signs_once(hworld):
    w = hworld
    t = allowance(w, "50000.00")
    t = sign(w.bj_both, t, role="finance_manager")
    assert signed(t) == [("bj_both", "finance_manager", "approved")]
    assert signable_roles(w.bj_both, t) == []
    with pytest.raises(AlreadySigned):
        sign(w.bj_both, t, role="sales_manager")
    t = sign(w.bj_sales_mgr, t)
    assert t.state == State.APPROVED


def test_second_sales_manager_has_nothing_to_sign(hworld):
    w = hworld
    t = allowance(w, "50000.00")
    sign(w.bj_sales_mgr, t)
    with pytest.raises(PermissionDenied) as exc:
        sign(w.bj_sales_mgr2, t)
    assert exc.value.code == "approval_level"
    with pytest.raises(InvalidInput):  # asking for a role already signed
        sign(w.bj_both, t, role="sales_manager")


@pytest.mark.parametrize("who", ["bj_super", "hq_fin", "bj_agent2", "bj_auditor"])
def test_old_approvers_and_other_roles_cannot_sign(hworld, who):
    t = allowance(hworld, "100.00")
    with pytest.raises(PermissionDenied):
        sign(getattr(hworld, who), t)
    assert Ticket.objects.get(pk=t.pk).state == State.RECEIVED


def test_wrong_role_for_the_band(hworld):
    w = hworld
    t = allowance(w, "8000.00")  # band 1: only the sales manager
    for user in (w.hq_fin_mgr, w.hq_gm):
        with pytest.raises(PermissionDenied) as exc:
            sign(user, t)
        assert exc.value.code == "approval_level"


def test_scope_of_the_signer(hworld):
    t = allowance(hworld, "100.00")
    with pytest.raises(NotFound):
        sign(hworld.sh_sales_mgr, t)


def test_requester_cannot_sign(hworld):
    from kehu.core import services as core_services

    both = core_services.user_create(username="bj_agent_sm", org_code="BJ", roles=["service_agent", "sales_manager"],
                                     password="Kehu-test-2026", actor=None)
    t = allowance(hworld, "100.00", by=both)
    assert signable_roles(both, t) == []
    with pytest.raises(SelfApprovalNotAllowed):
        sign(both, t)


def test_handler_cannot_sign(hworld):
    w = hworld
    t = allowance(w, "100.00")
    Ticket.objects.filter(pk=t.pk).update(handler=w.bj_both)
    with pytest.raises(SelfApprovalNotAllowed):
        sign(w.bj_both, t)
    assert signable_roles(w.bj_both, Ticket.objects.get(pk=t.pk)) == []


def test_rejection_by_a_required_approver_rejects(hworld):
    w = hworld
    t = allowance(w, "50000.00")
    sign(w.bj_sales_mgr, t)
    t = sign(w.hq_fin_mgr, t, approve=False)
    assert t.state == State.REJECTED
    assert signed(t)[-1] == ("hq_fin_mgr", "finance_manager", "rejected")
    assert receivable_reductions(t.customer_id, until=FAR) == Decimal("0.00")
    assert audits(E.ALLOWANCE_SIGNED, t) == 2 and audits(E.TICKET_APPROVED, t) == 1
    with pytest.raises(InvalidTransition):
        sign(w.hq_gm, t)


def test_a_non_required_role_cannot_reject(hworld):
    t = allowance(hworld, "100.00")
    with pytest.raises(PermissionDenied):
        sign(hworld.hq_gm, t, approve=False)


def test_evidence_before_the_first_sign_off(hworld):
    w = hworld
    with pytest.raises(InvalidInput):
        services.ticket_open(actor=w.bj_agent, customer_id=w.enterprise().pk, kind="allowance", subject="x",
                             amount="10.00", invoice_amount="100.00")
    t = allowance(w, "100.00")
    Ticket.objects.filter(pk=t.pk).update(data={**t.data, "evidence_document": ""})  # a row from before
    with pytest.raises(EvidenceMissing):
        sign(w.bj_sales_mgr, t)


@pytest.mark.parametrize("amount, invoice, field", [("10.00", "0.00", "invoice_amount"),
                                                    ("100.01", "100.00", "amount")])
def test_invoice_must_cover_the_allowance(hworld, amount, invoice, field):
    with pytest.raises(InvalidInput) as exc:
        allowance(hworld, amount, invoice)
    assert exc.value.field == field


def test_thresholds_are_parameters(hworld):
    w = hworld
    RuleParameter.objects.create(code="service.allowance_band1_max_percentage", value="20", unit="%",
                                 provenance="proposed", source_ref="test", effective_from=date(2020, 1, 1),
                                 status="approved")
    t = allowance(w, "150.00", "1000.00")  # 15 per cent: band 1 under the changed parameter
    assert t.data["approval"]["band"] == 1
    RuleParameter.objects.create(code="service.allowance_band1_max_percentage", value="1", unit="%",
                                 provenance="proposed", source_ref="test", effective_from=date(2025, 11, 4),
                                 status="approved")
    assert t.data["approval"]["band"] == 1  # fixed on receipt: a later change does not move it
    sign(w.bj_sales_mgr, t)
    assert receivable_reductions(t.customer_id, until=FAR) == Decimal("150.00")


def test_allowance_recorded_before_the_bands_gets_its_terms(hworld):
    w = hworld
    t = allowance(w, "50000.00")
    legacy = {k: v for k, v in t.data.items() if k != "approval"}
    Ticket.objects.filter(pk=t.pk).update(data=legacy)
    t = Ticket.objects.get(pk=t.pk)
    assert allowance_approval(t)["required"] == ["sales_manager", "finance_manager"]
    sign(w.bj_sales_mgr, t)
    assert sign(w.hq_fin_mgr, t).state == State.APPROVED


def test_allowance_signers_approve_nothing_else(hworld):
    w = hworld
    t = services.ticket_open(actor=w.bj_agent, customer_id=w.enterprise().pk, kind="return", subject="r",
                             amount="100.00", now=NOW)
    with pytest.raises(PermissionDenied):
        services.ticket_approve(actor=w.bj_sales_mgr, ticket_id=t.pk, now=NOW)
    with pytest.raises(PermissionDenied):
        services.return_credit_note(actor=w.hq_fin_mgr, ticket_id=t.pk, now=NOW)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.decimals("0.01", "4000", places=2), st.booleans()), min_size=1, max_size=5))
def test_reductions_are_the_sum_of_approved_allowances(hworld, allowances):
    w = hworld
    customer = w.enterprise()
    expected = Decimal("0.00")
    for amount, approve in allowances:
        t = allowance(w, str(amount), "1000000.00", customer=customer)
        sign(w.bj_sales_mgr, t, approve=approve)
        expected += amount if approve else 0
    assert receivable_reductions(customer.pk, until=FAR) == expected
    assert receivable_reductions(customer.pk, until=date(2025, 11, 2)) == Decimal("0.00")
    assert ReceivableReduction.objects.filter(customer=customer).count() == sum(a for _, a in allowances)
