"""Issue 11, defects 5, 13 and 16: odd input, oversized integers, NUL bytes, and existence probing."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from tests._fixtures.api import ApiClient
from tests._fixtures.credit_world import active_line, rated_customer

from kehu.core.errors import InvalidInput
from kehu.core.inputs import amount, day
from kehu.customers import services as customer_services

HUGE = 2**70


# ----------------------------------------------------------------------------- defect 16


@pytest.mark.parametrize("value", ["١٠٠٠", "۱۰۰۰", "１０００", "1_000", "1e3", "NaN", "Infinity", "0x10", "1,00",
                                   "1.000.00", " ", "10 00", "+-1"])
def test_only_plain_ascii_amounts(db, value):
    with pytest.raises(InvalidInput):
        amount(value, "amount")


@pytest.mark.parametrize(("value", "expected"), [("1000", "1000.00"), ("1,000.50", "1000.50"), (" 12.3 ", "12.30"),
                                                 (Decimal("7.10"), "7.10"), (15, "15.00")])
def test_plain_amounts_still_parse(db, value, expected):
    assert amount(value, "amount") == Decimal(expected)


@pytest.mark.parametrize("value", ["0001-01-01", "9999-12-31", "1899-12-31", "2201-01-01", date(1, 1, 1),
                                   "２０２６-01-01", "2026-1-1", "20260101"])
def test_dates_in_a_sane_range(db, value):
    with pytest.raises(InvalidInput):
        day(value, "day")
    assert day("1900-01-01", "day") == date(1900, 1, 1) and day("2200-12-31", "day") == date(2200, 12, 31)


def test_api_refuses_odd_amounts_and_dates(cworld):
    api = ApiClient(cworld)
    firm = rated_customer(cworld)
    for ordered_on in ("0001-01-01", "9999-12-31"):
        r = api.post("bj_cm", "/trade/orders", {"customer_id": firm.pk, "number": f"SO-{ordered_on[:4]}",
                                                "amount": "10.00", "ordered_on": ordered_on})
        assert r.status_code == 400 and r.json()["field"] == "ordered_on", r.content
    for bad in ("١٠٠٠", "1_000", "1e3", "NaN"):
        r = api.post("bj_cm", "/trade/orders", {"customer_id": firm.pk, "number": "SO-X", "amount": bad})
        assert r.status_code == 422, (bad, r.content)
        r = api.post("bj_cm", "/customers", {"kind": "enterprise", "name": "某某有限公司", "uscc": firm.uscc,
                                             "registered_capital_amount": bad})
        assert r.status_code == 422, (bad, r.content)


# ----------------------------------------------------------------------------- defect 5


def test_integers_beyond_64_bits_and_nul_never_500(cworld):
    api = ApiClient(cworld)
    w = cworld
    c = rated_customer(w)
    active_line(w, c, "1000.00")
    group = customer_services.group_create(actor=w.bj_office, code="G1", name="集团", org_code="BJ")
    calls = [
        ("bj_cm", "GET", f"/customers?manager_id={HUGE}"),
        ("bj_cm", "GET", f"/admissions?customer_id={HUGE}"),
        ("bj_cm", "GET", f"/trade/orders?customer_id={HUGE}"),
        ("bj_cm", "GET", f"/credit/lines?customer_id={HUGE}"),
        ("bj_cm", "GET", f"/credit/lines?group_id={HUGE}"),
        ("bj_cm", "GET", f"/credit/changes?line_id={HUGE}"),
        ("bj_office", "DELETE", f"/groups/{group.pk}/members/{HUGE}"),
        ("bj_office", "DELETE", f"/groups/{HUGE}/members/{c.pk}"),
        ("bj_cm", "GET", f"/customers/{HUGE}"),
        ("bj_cm", "GET", f"/credit/lines/{HUGE}"),
        ("bj_cm", "GET", f"/documents/{HUGE}/content"),
        ("bj_cm", "GET", "/customers?q=%E5%8C%97%00%E4%BA%AC"),
        ("bj_cm", "GET", "/customers?q=a\x00b"),
        ("bj_cm", "GET", f"/customers?manager_id=-{HUGE}"),
    ]
    for user, method, path in calls:
        r = api.call(user, method, path)
        # SQLite cannot bind such an integer (400 out_of_range); PostgreSQL compares it as numeric and finds
        # nothing (an empty list, or 404). Never a 500.
        assert r.status_code < 500, (path, r.status_code, r.content)
        if r.status_code >= 400:
            assert set(r.json()) >= {"code", "message"}, path
        else:
            body = r.json()
            assert (body.get("items") if isinstance(body, dict) else body) == [], path
    r = api.post("bj_cm", "/trade/orders", {"customer_id": HUGE, "number": "SO-1", "amount": "1.00"})
    assert 400 <= r.status_code < 500, r.content


def test_web_pages_with_huge_ids_and_nul_are_not_500(cworld):
    from django.test import Client

    client = Client()
    client.force_login(cworld.bj_cm)
    for path in (f"/customers/{HUGE}/", f"/credit/{HUGE}/", f"/customers/documents/{HUGE}/",
                 f"/trade/orders/{HUGE}/", "/customers/?q=a%00b", f"/customers/?manager={HUGE}"):
        r = client.get(path)
        assert r.status_code in (200, 302, 400, 404), (path, r.status_code)


# ----------------------------------------------------------------------------- defect 13


def test_without_the_module_permission_an_existing_id_is_404_like_a_missing_one(cworld):
    api = ApiClient(cworld)
    w = cworld
    c = rated_customer(w)
    line = active_line(w, c, "1000.00")
    doc = customer_services.document_upload(actor=w.bj_cm, customer_id=c.pk, kind="other", title="t",
                                            filename="a.txt", content_type="text/plain", data=b"x")
    missing = 10**9
    # admin (sysadmin: no customer or credit permission), bj_dept and the committee (no credit permission)
    for user in ("admin", "bj_dept", "hq_committee1"):
        existing = api.get(user, f"/credit/lines/{line.pk}")
        absent = api.get(user, f"/credit/lines/{missing}")
        assert (existing.status_code, existing.json()) == (absent.status_code, absent.json()) == (
            404, absent.json()), user
        assert api.get(user, f"/credit/lines/{line.pk}/movements").status_code == 404, user
    for user in ("admin",):
        existing = api.get(user, f"/documents/{doc.pk}/content")
        absent = api.get(user, f"/documents/{missing}/content")
        assert existing.status_code == absent.status_code == 404, user
        assert existing.json() == absent.json()
        assert api.get(user, f"/customers/{c.pk}").status_code == 404
        assert api.get(user, f"/trade/customers/{c.pk}/sales").status_code == 404
    # In scope with the view but without the action: still 403 (it reveals nothing the user may not see).
    r = api.post("bj_auditor", f"/credit/lines/{line.pk}/freeze", {"reason": "风险"})
    assert r.status_code == 403
    # The list of a module the user does not hold stays 403 (no id, nothing to probe).
    assert api.get("admin", "/credit/lines").status_code == 403
