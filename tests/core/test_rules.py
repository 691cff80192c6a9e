"""Pure rules of core, without a database: masking (domain spec 10.4), audit hashing, passwords, money."""

from __future__ import annotations

import string
from decimal import Decimal

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from kehu.core.money import round_money
from kehu.core.rules import (
    GENESIS_HASH,
    audit_row_hash,
    canonical_json,
    character_classes,
    mask,
    mask_address,
    mask_card,
    mask_email,
    mask_id_number,
    mask_name,
    mask_phone,
)

# Text without surrounding whitespace: the maskers strip, so length is only preserved for such input.
visible = st.characters(blacklist_categories=("Cs", "Cc", "Zs", "Zl", "Zp"))
tokens = st.text(visible, min_size=0, max_size=40)
digits = st.text(alphabet=string.digits, min_size=0, max_size=30)


# ---------------------------------------------------------------- masking


@pytest.mark.parametrize(
    ("masker", "value", "expected"),
    [
        (mask_name, "张三", "张*"),
        (mask_name, "欧阳娜娜", "欧***"),
        (mask_id_number, "110105199003071234", "110***********1234"),
        (mask_phone, "13812345678", "138****5678"),
        (mask_card, "6222021234567890123", "622202*********0123"),
        (mask_card, "6222 0212 3456 7890 123", "622202*********0123"),
        (mask_email, "zhangsan@example.com", "z***@example.com"),
        (mask_address, "北京市朝阳区建国路88号", "北京市朝阳区****"),
        (mask_address, "湖南省衡阳市雁峰区蒸湘南路12号", "湖南省衡阳市雁峰区****"),
    ],
)
def test_masked_forms_follow_domain_spec_10_4(masker, value, expected):
    assert masker(value) == expected


@pytest.mark.parametrize(("masker", "keep_head", "keep_tail"), [(mask_id_number, 3, 4), (mask_phone, 3, 4)])
@given(value=tokens)
def test_id_and_phone_masks_keep_exactly_3_plus_4_and_the_length(masker, keep_head, keep_tail, value):
    masked = masker(value)
    assert len(masked) == len(value)
    if len(value) <= keep_head + keep_tail:
        # A short value would be (almost) fully revealed by 3 + 4: hide all of it.
        assert masked == "*" * len(value)
    else:
        assert masked[:keep_head] == value[:keep_head]
        assert masked[-keep_tail:] == value[-keep_tail:]
        assert set(masked[keep_head:-keep_tail]) == {"*"}


@given(value=st.text(alphabet=string.digits + " ", max_size=30))
def test_card_mask_keeps_first_6_and_last_4_digits_only(value):
    compact = value.replace(" ", "")
    masked = mask_card(value)
    assert len(masked) == len(compact)
    if len(compact) <= 10:
        assert masked == "*" * len(compact)
    else:
        assert masked[:6] == compact[:6] and masked[-4:] == compact[-4:]
        assert set(masked[6:-4]) == {"*"}


@given(value=tokens)
def test_name_mask_keeps_only_the_surname(value):
    masked = mask_name(value)
    assert len(masked) == len(value)
    if len(value) > 1:
        assert masked[0] == value[0]
        assert set(masked[1:]) == {"*"}


@given(
    local=st.text(alphabet=string.ascii_letters + string.digits + "._+", min_size=1, max_size=30),
    domain=st.from_regex(r"[a-z]{1,10}\.[a-z]{2,5}", fullmatch=True),
)
def test_email_mask_keeps_first_character_and_domain(local, domain):
    masked = mask_email(f"{local}@{domain}")
    assert masked == f"{local[0]}***@{domain}"
    # The length of the local part is not revealed either.
    assert mask_email(f"{local}x@{domain}") == masked


@given(value=st.text(visible, min_size=1, max_size=40))
def test_address_mask_never_shows_the_whole_address(value):
    masked = mask_address(value)
    assert masked.endswith("****")
    shown = masked[:-4]
    assert value.startswith(shown)
    assert len(shown) < len(value)


@given(value=st.text(alphabet="0123456789abcdefXY", max_size=30))
@pytest.mark.parametrize("kind", ["name", "id_number", "phone", "card"])
def test_masking_a_masked_value_changes_nothing(kind, value):
    once = mask(kind, value)
    assert mask(kind, once) == once


@given(value=st.text(alphabet=string.digits, min_size=8, max_size=30), secret=st.sampled_from("0123456789"))
def test_id_mask_does_not_depend_on_the_middle(value, secret):
    middle = len(value) // 2
    assume(3 <= middle < len(value) - 4)
    changed = value[:middle] + secret + value[middle + 1 :]
    assert mask_id_number(changed) == mask_id_number(value)
    assert mask_phone(changed) == mask_phone(value)


@given(value=digits)
def test_surrounding_whitespace_does_not_change_the_mask(value):
    assert mask_id_number(f"  {value}\t") == mask_id_number(value)
    assert mask_phone(f" {value} ") == mask_phone(value)


def test_mask_of_none_or_empty_is_empty():
    assert mask("id_number", None) == ""
    for kind in ("name", "id_number", "phone", "card", "email", "address"):
        assert mask(kind, "") == ""


# ---------------------------------------------------------------- audit hashing

json_scalars = st.none() | st.booleans() | st.integers() | st.text(max_size=20)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=8,
)
contents = st.dictionaries(st.text(min_size=1, max_size=10), json_values, min_size=1, max_size=6)
hashes = st.text(alphabet="0123456789abcdef", min_size=64, max_size=64)


@given(prev=hashes, content=contents)
def test_audit_hash_is_deterministic_and_hex(prev, content):
    first = audit_row_hash(prev, content)
    assert first == audit_row_hash(prev, dict(reversed(list(content.items()))))  # key order is irrelevant
    assert len(first) == 64 and set(first) <= set("0123456789abcdef")


@given(prev=hashes, other_prev=hashes, content=contents)
def test_audit_hash_changes_with_the_previous_hash(prev, other_prev, content):
    assume(prev != other_prev)
    assert audit_row_hash(prev, content) != audit_row_hash(other_prev, content)


@given(content=contents, data=st.data())
def test_audit_hash_changes_with_any_change_of_content(content, data):
    key = data.draw(st.sampled_from(sorted(content)))
    new_value = data.draw(json_values)
    assume(canonical_json(new_value) != canonical_json(content[key]))
    edited = {**content, key: new_value}
    assert audit_row_hash(GENESIS_HASH, edited) != audit_row_hash(GENESIS_HASH, content)


@given(content=contents, extra=st.text(min_size=1, max_size=10))
def test_audit_hash_changes_when_a_field_is_added_or_removed(content, extra):
    assume(extra not in content)
    assert audit_row_hash(GENESIS_HASH, {**content, extra: None}) != audit_row_hash(GENESIS_HASH, content)


def test_canonical_json_writes_decimals_exactly():
    assert canonical_json({"b": Decimal("1.10"), "a": 1}) == '{"a":1,"b":"1.10"}'


# ---------------------------------------------------------------- passwords


@pytest.mark.parametrize(
    ("password", "classes"),
    [
        ("", 0),
        ("abc", 1),
        ("ABC", 1),
        ("123", 1),
        ("!!", 1),
        ("abcDEF", 2),
        ("abc123", 2),
        ("aB1", 3),
        ("Kehu-test-2026", 4),
        ("密码abcD", 3),
    ],
)
def test_character_classes_counts_lower_upper_digit_other(password, classes):
    assert character_classes(password) == classes


@given(password=st.text(max_size=30), extra=st.sampled_from(["a", "Z", "7", "#"]))
def test_character_classes_is_between_0_and_4_and_never_drops_when_a_char_is_added(password, extra):
    before = character_classes(password)
    after = character_classes(password + extra)
    assert 0 <= before <= after <= 4
    assert after - before <= 1


# ---------------------------------------------------------------- money

amounts = st.decimals(
    min_value=Decimal("-1e15"), max_value=Decimal("1e15"), allow_nan=False, allow_infinity=False, places=6
)


@given(amount=amounts)
def test_round_money_gives_cents_within_half_a_cent(amount):
    rounded = round_money(amount)
    assert rounded.as_tuple().exponent == -2
    assert abs(rounded - amount) <= Decimal("0.005")
    assert round_money(rounded) == rounded


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        ("2.345", "2.35"),
        ("2.335", "2.34"),
        ("-2.345", "-2.35"),
        ("0.005", "0.01"),
        ("0.0049", "0.00"),
        ("1.10", "1.10"),
    ],
)
def test_round_money_rounds_half_up_away_from_zero(amount, expected):
    assert round_money(Decimal(amount)) == Decimal(expected)
    assert str(round_money(Decimal(amount))) == expected


# ---------------------------------------------------------------- login throttle waits (issue 11)


@given(st.integers(0, 200), st.integers(0, 20), st.integers(0, 120), st.integers(0, 100000))
def test_throttle_waits_are_free_then_doubling_and_capped(failures, free, base, cap):
    from kehu.core.rules import throttle_delay_seconds

    wait = throttle_delay_seconds(failures, free=free, base=base, cap=cap)
    assert 0 <= wait <= cap
    if failures <= free or base == 0:
        assert wait == 0
    else:
        assert wait == min(base * 2 ** (failures - free - 1), cap)
        # One more failure never waits less.
        assert throttle_delay_seconds(failures + 1, free=free, base=base, cap=cap) >= wait


@given(st.binary(min_size=32, max_size=64), st.text(max_size=40), st.text(max_size=40))
def test_the_keyed_row_hash_depends_on_the_key_and_the_content(key, reason, other):
    from kehu.core.rules import GENESIS_HASH, audit_row_hash, audit_row_hmac

    content = {"id": 1, "reason": reason}
    keyed = audit_row_hmac(key, GENESIS_HASH, content)
    assert keyed != audit_row_hash(GENESIS_HASH, content)
    assert keyed != audit_row_hmac(bytes(b ^ 1 for b in key), GENESIS_HASH, content)
    if other != reason:
        assert keyed != audit_row_hmac(key, GENESIS_HASH, {"id": 1, "reason": other})
