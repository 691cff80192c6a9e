"""Pure rules of the customer archive and admission review, without a database."""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from stdnum.cn import ric, uscc

from kehu.customers import rules
from kehu.customers.generators import USCC_CHARS, make_resident_id, make_uscc
from kehu.customers.models import ApplicationStatus
from kehu.customers.rules import (
    LicenceFact,
    classify_query,
    clean_email,
    clean_phone,
    clean_resident_id,
    clean_uscc,
    committee_outcome,
    licence_problems,
    next_status,
    pinyin_keys,
    volume_needs_justification,
)

seeds = st.integers(min_value=0, max_value=2**32)
valid_usccs = seeds.map(lambda s: make_uscc(random.Random(s)))
valid_ids = seeds.map(lambda s: make_resident_id(random.Random(s)))

# ---------------------------------------------------------------- unified social credit code


def test_known_real_credit_code_is_accepted():
    # Bank of China's code: all digits, which must not confuse any rule.
    assert clean_uscc("911000001000013428") == "911000001000013428"


@given(code=valid_usccs)
def test_generated_credit_codes_are_valid(code):
    assert clean_uscc(code) == code
    assert uscc.calc_check_digit(code[:17]) == code[17]


@given(code=valid_usccs, data=st.data())
def test_any_single_character_change_of_a_credit_code_is_rejected(code, data):
    position = data.draw(st.integers(min_value=0, max_value=17))
    replacement = data.draw(st.sampled_from(USCC_CHARS + "IOSVZ*-"))
    assume(replacement != code[position])
    changed = code[:position] + replacement + code[position + 1 :]
    assert clean_uscc(changed) is None


@given(code=valid_usccs, left=st.sampled_from(["", " ", "  ", "\t"]), right=st.sampled_from(["", " ", "\n"]))
def test_credit_code_is_normalised_from_lower_case_and_whitespace(code, left, right):
    assert clean_uscc(left + code.lower() + right) == code


@pytest.mark.parametrize("bad", ["", "91110105", "91110105MA01ABCDE", "91110105MA01ABCDEFG", None, "ＡＢＣ"])
def test_credit_code_of_wrong_length_or_shape_is_rejected(bad):
    assert clean_uscc(bad) is None


# ---------------------------------------------------------------- resident ID number


@given(number=valid_ids)
def test_generated_resident_ids_are_valid(number):
    assert clean_resident_id(number) == number
    assert ric.calc_check_digit(number) == number[17]


@given(number=valid_ids, data=st.data())
def test_any_single_character_change_of_a_resident_id_is_rejected(number, data):
    position = data.draw(st.integers(min_value=0, max_value=17))
    replacement = data.draw(st.sampled_from("0123456789XA "))
    assume(replacement != number[position])
    changed = number[:position] + replacement + number[position + 1 :]
    assert clean_resident_id(changed) is None


@given(number=valid_ids, pad=st.sampled_from(["", " ", "\t", "  "]))
def test_resident_id_is_normalised_from_lower_case_x_and_whitespace(number, pad):
    assert clean_resident_id(pad + number.lower() + pad) == number


def test_resident_id_with_check_character_x_is_accepted_in_either_case():
    body = "11010519491231002"
    assert ric.calc_check_digit(body + "0") == "X"
    assert clean_resident_id(body + "x") == body + "X"
    assert clean_resident_id(body + "X") == body + "X"


@pytest.mark.parametrize("bad", ["", "1101051949123100", "110105194912310021X", "11010519491331002X", None])
def test_resident_id_of_wrong_length_or_impossible_birth_date_is_rejected(bad):
    assert clean_resident_id(bad) is None


# ---------------------------------------------------------------- phone and e-mail


@pytest.mark.parametrize(
    "good",
    [
        "13812345678",
        "+8613812345678",
        "86-13812345678",
        "010-12345678",
        "0734-1234567",
        "021-12345678-123",
        "138 1234 5678",
    ],
)
def test_plausible_phone_numbers_are_accepted(good):
    assert clean_phone(good) is not None


@pytest.mark.parametrize(
    "bad", ["", "12345", "1381234567", "23812345678", "138123456789", "abc", "13812345678x"]
)
def test_implausible_phone_numbers_are_rejected(bad):
    assert clean_phone(bad) is None


@pytest.mark.parametrize(
    "bad", ["", "a", "a@b", "@example.com", "a b@example.com", "a@@example.com", "x" * 250 + "@example.com"]
)
def test_malformed_emails_are_rejected(bad):
    assert clean_email(bad) is None


def test_plain_email_is_accepted():
    assert clean_email(" zhang.san@example.com.cn ") == "zhang.san@example.com.cn"


# ---------------------------------------------------------------- search keys


def test_pinyin_initials_of_bank_of_china():
    assert pinyin_keys("中国银行") == ("zhongguoyinhang", "zgyh")


def test_pinyin_keys_keep_latin_letters_lower_cased():
    assert pinyin_keys("ABC科技") == ("abckeji", "abckj")


NAME_CHARS = st.one_of(st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5),  # CJK unified ideographs
                       st.sampled_from("ABCxyz 0123-（）·&"), st.characters())


@settings(deadline=None, max_examples=300)
@given(name=st.text(NAME_CHARS, max_size=40) | st.sampled_from(["重庆银行", "长沙银行", "行长", "中国银行股份有限公司"]))
def test_initials_equal_pypinyins_first_letter_style(name):
    """The one-pass initials (first letter of each syllable) equal pypinyin's FIRST_LETTER style, which the
    keys used to be computed with in a second pass, heteronyms such as 重/长/行 included."""
    from pypinyin import Style, lazy_pinyin

    reference = "".join(s.lower() for s in lazy_pinyin(name, style=Style.FIRST_LETTER, errors=lambda c: list(c))
                        if s.strip())[:200]
    assert pinyin_keys(name)[1] == reference


@settings(deadline=None)  # pypinyin loads its dictionaries on first use
@given(name=st.text(max_size=300))
def test_pinyin_keys_are_lower_case_without_spaces_and_bounded(name):
    full, initials = pinyin_keys(name)
    assert full == full.lower() and initials == initials.lower()
    assert " " not in full and " " not in initials
    assert len(full) <= 600 and len(initials) <= 200


@given(number=valid_ids)
def test_a_resident_id_is_searched_as_an_id_number(number):
    assert classify_query(number) == "id_number"
    assert classify_query(number.lower()) == "id_number"


@given(code=valid_usccs)
def test_a_credit_code_with_letters_is_searched_as_a_credit_code(code):
    assume(not code[:17].isdigit())
    assert classify_query(code) == "uscc"
    assert classify_query(code[:8]) == "uscc"


@pytest.mark.parametrize(
    ("query", "how"),
    [
        ("zgyh", "pinyin"),
        ("ZhongGuo", "pinyin"),
        ("中国银行", "name"),
        ("中国 银行", "name"),
        ("9111", "uscc"),
        ("", "name"),
        ("  zgyh  ", "pinyin"),
        ("a1", "uscc"),
        ("银行1", "name"),
    ],
)
def test_classify_query_examples(query, how):
    assert classify_query(query) == how


# ---------------------------------------------------------------- admission state machine

# The workflow of domain spec 2.2, written out here independently of the table in rules.py.
EXPECTED_TRANSITIONS = {
    ("draft", "submit"): "submitted",
    ("returned", "submit"): "submitted",
    ("submitted", "sales_check"): "sales_checked",
    ("submitted", "reject"): "rejected",
    ("submitted", "return"): "returned",
    ("sales_checked", "office_review"): "office_reviewed",
    ("sales_checked", "reject"): "rejected",
    ("sales_checked", "return"): "returned",
    ("office_reviewed", "opinions_complete"): "opinions_complete",
    ("office_reviewed", "return"): "returned",
    ("opinions_complete", "committee_approve"): "qualified",
    ("opinions_complete", "reject"): "rejected",
    ("opinions_complete", "return"): "returned",
}
ACTIONS = [
    "submit",
    "sales_check",
    "office_review",
    "opinions_complete",
    "committee_approve",
    "reject",
    "return",
    "activate",
    "terminate",
    "exit",
    "",
]


@pytest.mark.parametrize("status", ApplicationStatus.values)
@pytest.mark.parametrize("action", ACTIONS)
def test_only_the_transitions_of_the_workflow_are_allowed(status, action):
    assert next_status(status, action) == EXPECTED_TRANSITIONS.get((status, action))


@pytest.mark.parametrize("status", ["qualified", "rejected"])
def test_decided_applications_are_final(status):
    assert all(next_status(status, action) is None for action in ACTIONS)


def test_unknown_status_allows_nothing():
    assert next_status("bogus", "submit") is None


@pytest.mark.parametrize(
    ("standing", "tradable"),
    [
        ("prospect", False),
        ("in_review", False),
        ("qualified", True),
        ("active", True),
        ("rejected", False),
        ("terminated", False),
        ("exited", False),
    ],
)
def test_only_qualified_and_active_customers_can_transact(standing, tradable):
    assert rules.can_transact(standing) is tradable


def test_customer_transitions_after_admission():
    assert rules.CUSTOMER_TRANSITIONS["qualified"] == {
        "activate": "active",
        "terminate": "terminated",
        "exit": "exited",
    }
    assert rules.CUSTOMER_TRANSITIONS["active"] == {"terminate": "terminated", "exit": "exited"}
    for standing in ("prospect", "in_review", "rejected", "terminated", "exited"):
        assert standing not in rules.CUSTOMER_TRANSITIONS


# ---------------------------------------------------------------- licences

TODAY = date(2026, 3, 15)
dates = st.dates(min_value=date(2000, 1, 1), max_value=date(2050, 12, 31))
kinds = st.sampled_from(["business_licence", "tax_registration", "safety_permit"])
facts = st.builds(
    LicenceFact,
    kind=kinds,
    valid_to=st.none() | dates,
    valid_from=st.none() | dates,
    annual_report_ok=st.booleans(),
)


def _fact(kind="business_licence", valid_from=None, valid_to=None, annual_report_ok=True):
    return LicenceFact(kind=kind, valid_to=valid_to, valid_from=valid_from, annual_report_ok=annual_report_ok)


@pytest.mark.parametrize(
    ("licences", "codes"),
    [
        ([], ["licence_missing"]),
        ([_fact(kind="tax_registration")], ["licence_missing"]),
        ([_fact(valid_to=TODAY - timedelta(days=1))], ["licence_expired"]),
        ([_fact(valid_to=TODAY)], []),  # valid through its last day
        ([_fact(valid_from=TODAY + timedelta(days=1))], ["licence_expired"]),  # not yet valid
        ([_fact(valid_from=TODAY)], []),
        ([_fact()], []),  # long-term (长期)
        ([_fact(annual_report_ok=False)], ["licence_annual_report"]),
        (
            [_fact(valid_to=TODAY - timedelta(days=1)), _fact(valid_to=TODAY + timedelta(days=9))],
            [],
        ),  # renewed
        (
            [_fact(annual_report_ok=False), _fact(valid_to=TODAY - timedelta(days=3))],
            ["licence_annual_report"],
        ),
    ],
)
def test_licence_problems_examples(licences, codes):
    problems = licence_problems(["business_licence"], licences, TODAY)
    assert [p.code for p in problems] == codes
    assert all(p.params == {"kind": "business_licence"} for p in problems)


@given(required=st.lists(kinds, unique=True), licences=st.lists(facts, max_size=6), today=dates)
def test_at_most_one_problem_per_required_kind_and_none_for_kinds_not_required(required, licences, today):
    problems = licence_problems(required, licences, today)
    named = [p.params["kind"] for p in problems]
    assert len(named) == len(set(named))
    assert set(named) <= set(required)
    for kind in set(required) - set(named):
        # No problem reported means a licence of that kind is valid today with its annual report filed.
        assert any(
            lic.kind == kind
            and lic.annual_report_ok
            and (lic.valid_from is None or lic.valid_from <= today)
            and (lic.valid_to is None or lic.valid_to >= today)
            for lic in licences
        )


@given(required=st.lists(kinds, unique=True), licences=st.lists(facts, max_size=6), today=dates)
def test_adding_a_long_term_valid_licence_clears_that_kind(required, licences, today):
    assume(required)
    kind = required[0]
    fixed = licences + [_fact(kind=kind)]
    assert kind not in [p.params["kind"] for p in licence_problems(required, fixed, today)]


@pytest.mark.parametrize(
    ("valid_to", "state"),
    [
        (None, "valid"),
        (TODAY - timedelta(days=1), "expired"),
        (TODAY, "expiring"),
        (TODAY + timedelta(days=30), "expiring"),
        (TODAY + timedelta(days=31), "valid"),
    ],
)
def test_licence_expiry_state(valid_to, state):
    assert rules.licence_expiry_state(valid_to, TODAY, 30) == state


# ---------------------------------------------------------------- volume and committee

money = st.decimals(
    min_value=Decimal("0"), max_value=Decimal("1e16"), places=2, allow_nan=False, allow_infinity=False
)


@given(volume=money, capital=money, ratio=st.integers(min_value=1, max_value=100))
def test_volume_needs_justification_exactly_above_ratio_times_capital(volume, capital, ratio):
    needs = volume_needs_justification(volume, capital, Decimal(ratio))
    assert needs == (capital > 0 and volume > capital * ratio)


@pytest.mark.parametrize(
    ("volume", "capital", "needs"),
    [
        ("100", "10", False),
        ("100.01", "10", True),
        (None, "10", False),
        ("100", None, False),
        ("5", "0", False),
    ],
)
def test_volume_justification_examples_at_ratio_10(volume, capital, needs):
    def as_dec(v):
        return Decimal(v) if v is not None else None

    assert volume_needs_justification(as_dec(volume), as_dec(capital), Decimal(10)) is needs


@given(approvals=st.integers(0, 10), rejections=st.integers(0, 10), quorum=st.integers(1, 10))
def test_committee_outcome_follows_the_quorum(approvals, rejections, quorum):
    outcome = committee_outcome(approvals, rejections, quorum)
    if approvals >= quorum:
        assert outcome == "approve"
    elif rejections >= quorum:
        assert outcome == "reject"
    else:
        assert outcome is None


def test_committee_outcome_examples_with_quorum_2():
    assert committee_outcome(1, 0, 2) is None
    assert committee_outcome(1, 1, 2) is None
    assert committee_outcome(2, 1, 2) == "approve"
    assert committee_outcome(0, 2, 2) == "reject"


def test_missing_departments_keeps_the_required_order():
    required = ["enterprise_mgmt", "production", "finance", "audit", "safety_env"]
    assert rules.missing_departments(required, {"finance", "other"}) == [
        "enterprise_mgmt",
        "production",
        "audit",
        "safety_env",
    ]
    assert rules.missing_departments(required, set(required)) == []
