"""Customer search over the real database: every way of finding a customer, the filters, scope in
results and counts, keyset pagination, the picker and the list page (SQLite and PostgreSQL)."""

from __future__ import annotations

import random

import pytest
from django.test import Client
from tests.conftest import PASSWORD

from kehu.customers import services
from kehu.customers.generators import make_resident_id, make_uscc
from kehu.customers.models import Customer
from kehu.customers.search import capped_count
from kehu.customers.selectors import customer_search

BOC = "911000001000013428"


@pytest.fixture
def people(world):
    """Customers of BJ, BJ01 (own-only manager) and SH with names chosen to overlap."""
    rng = random.Random(7)
    made = {
        "boc": world.enterprise(name="中国银行股份有限公司", uscc=BOC, industry="货币金融服务", region="北京"),
        "icbc_sh": world.enterprise(by=world.sh_cm, name="中国工商银行上海分行", uscc=make_uscc(rng, "310115"),
                                    industry="货币金融服务", region="上海"),
        "metal": world.enterprise(name="衡阳恒泰有色金属有限公司", uscc=make_uscc(rng, "430406"),
                                  industry="有色金属", region="湖南"),
        "wang": world.individual(name="王伟", id_number=make_resident_id(rng, "110105")),
        "wang_sh": world.individual(by=world.sh_cm, name="王伟", id_number=make_resident_id(rng, "310104")),
        "own": world.enterprise(by=world.bj01_cm, name="北京中联银行科技有限公司", uscc=make_uscc(rng, "110108"),
                                region="北京"),
    }
    return made


def names(rows) -> list[str]:
    return sorted(c.name for c in rows)


def ids(rows) -> set[int]:
    return {c.pk for c in rows}


# ------------------------------------------------------------------ ways of finding a customer


@pytest.mark.parametrize("q", ["zgyh", "ZGYH", "zhongguoyinhang", "yinhang", "中国银行", "国银行股份", "银行股"])
def test_name_pinyin_and_initials_find_bank_of_china(world, people, q):
    found = names(customer_search(user=world.hq_auditor, q=q))
    assert "中国银行股份有限公司" in found, q


def test_initials_of_another_name_do_not_match(world, people):
    assert names(customer_search(user=world.hq_auditor, q="zggsyh")) == ["中国工商银行上海分行"]
    assert names(customer_search(user=world.hq_auditor, q="xyzq")) == []


def test_two_character_substring_and_short_pinyin(world, people):
    # Shorter than a trigram: the name falls back to LIKE, pinyin to a prefix range.
    assert names(customer_search(user=world.hq_auditor, q="银行")) == [
        "中国工商银行上海分行", "中国银行股份有限公司", "北京中联银行科技有限公司"]
    assert "王伟" in names(customer_search(user=world.hq_auditor, q="王伟"))
    assert names(customer_search(user=world.hq_auditor, q="ww")) == ["王伟", "王伟"]
    assert names(customer_search(user=world.hq_auditor, q="hy")) == ["衡阳恒泰有色金属有限公司"]


def test_credit_code_prefix_and_exact_id_number(world, people):
    assert list(customer_search(user=world.hq_auditor, q="9110000010")) == [people["boc"]]
    # Up to the region code a prefix is shared by many codes (read differently on SQLite); same result.
    assert list(customer_search(user=world.hq_auditor, q="91100000")) == [people["boc"]]
    assert list(customer_search(user=world.hq_auditor, q="911000")) == [people["boc"]]
    assert people["metal"] in customer_search(user=world.hq_auditor, q="91430406")
    assert list(customer_search(user=world.hq_auditor, q=BOC)) == [people["boc"]]
    wang = people["wang"]
    assert list(customer_search(user=world.hq_auditor, q=wang.id_number)) == [wang]
    assert list(customer_search(user=world.hq_auditor, q=wang.id_number.lower())) == [wang]
    # One digit changed: no partial match on an ID number.
    other = wang.id_number[:-2] + ("0" if wang.id_number[-2] != "0" else "1") + wang.id_number[-1]
    assert list(customer_search(user=world.hq_auditor, q=other)) == []


def test_query_syntax_is_taken_literally(world, people):
    for q in ['"银行', "银行 OR 中国", "NEAR(中国 银行)", "zg*", "中国%", "中国_行", "{name}: 中国"]:
        assert list(customer_search(user=world.hq_auditor, q=q)) == [], q


def test_index_follows_renames_and_deletes(world, people):
    metal = people["metal"]
    services.customer_update(actor=world.bj_cm, customer_id=metal.pk, changes={"name": "衡阳鼎盛新材料有限公司"})
    assert list(customer_search(user=world.hq_auditor, q="dsxcl")) == [Customer.objects.get(pk=metal.pk)]
    assert list(customer_search(user=world.hq_auditor, q="恒泰有色")) == []
    assert list(customer_search(user=world.hq_auditor, q="htys")) == []
    Customer.objects.filter(pk=metal.pk).delete()
    assert list(customer_search(user=world.hq_auditor, q="鼎盛新材")) == []


# ------------------------------------------------------------------ filters


def test_filters_combine_with_the_text(world, people):
    boc = people["boc"]
    Customer.objects.filter(pk=boc.pk).update(grade="A")
    assert list(customer_search(user=world.hq_auditor, q="银行", grade="A")) == [boc]
    assert list(customer_search(user=world.hq_auditor, q="yinhang", region="上海")) == [people["icbc_sh"]]
    assert names(customer_search(user=world.hq_auditor, q="银行", industry="货币金融服务")) == [
        "中国工商银行上海分行", "中国银行股份有限公司"]
    assert list(customer_search(user=world.hq_auditor, q="银行", org_code="BJ01")) == [people["own"]]
    assert list(customer_search(user=world.hq_auditor, q="银行", manager_id=world.bj01_cm.pk)) == [people["own"]]
    assert list(customer_search(user=world.hq_auditor, q="银行", status="active")) == []
    assert ids(customer_search(user=world.hq_auditor, q="银行", status="prospect")) == {
        people["boc"].pk, people["icbc_sh"].pk, people["own"].pk}
    assert list(customer_search(user=world.hq_auditor, q="银行", kind="individual")) == []


# ------------------------------------------------------------------ scope


@pytest.mark.parametrize("q", ["银行", "yinhang", "zgyh", "中国银行", "9110", BOC, "王伟", "ww", ""])
def test_search_and_counts_never_leave_the_users_scope(world, people, q):
    everyone = set(Customer.objects.values_list("pk", flat=True))
    sh = {people["icbc_sh"].pk, people["wang_sh"].pk}
    own = {people["own"].pk}
    for user, allowed in ((world.sh_cm, sh), (world.bj_cm, everyone - sh), (world.bj01_cm, own),
                          (world.hq_auditor, everyone)):
        queryset = customer_search(user=user, q=q)
        found = ids(queryset)
        assert found <= allowed, (user.username, q)
        assert capped_count(queryset) == (len(found), False)


def test_api_list_and_picker_stay_inside_scope(world, people):
    from tests._fixtures.api import ApiClient

    api = ApiClient(world)
    body = api.get("sh_cm", "/customers?q=yinhang&count=true").json()
    assert [c["name"] for c in body["items"]] == ["中国工商银行上海分行"]
    assert (body["count"], body["count_more"]) == (1, False)
    picked = api.get("sh_cm", "/customers/picker?q=银行").json()
    assert [c["name"] for c in picked] == ["中国工商银行上海分行"]
    picked = api.get("bj01_cm", "/customers/picker?q=银行").json()
    assert [c["id"] for c in picked] == [people["own"].pk]
    assert api.get("bj_cm", f"/customers/picker?q={BOC}").json()[0]["code"] == BOC


def test_picker_masks_personal_names_and_bounds_its_input(world, people):
    from tests._fixtures.api import ApiClient

    api = ApiClient(world)
    rows = api.get("bj_cm", "/customers/picker?q=ww").json()
    assert [r["name"] for r in rows] == ["王*"]
    assert "*" in rows[0]["code"] and rows[0]["code"] != people["wang"].id_number
    assert api.get("bj_cm", "/customers/picker?q=").json() == []
    for bad in ("limit=0", "limit=21", "limit=x", "q=" + "a" * 101):
        response = api.get("bj_cm", "/customers/picker?q=zg&" + bad)
        assert response.status_code == 422 and "code" in response.json(), bad
    assert api.get(None, "/customers/picker?q=zg").status_code == 401


# ------------------------------------------------------------------ counts and pagination


def _bulk(world, n: int, *, org: str = "BJ", name: str = "嘉禾贸易有限公司") -> None:
    from kehu.core.models import OrgUnit

    unit = OrgUnit.objects.get(code=org)
    rng = random.Random(Customer.objects.count() * 7919 + n)
    Customer.objects.bulk_create([
        Customer(kind="enterprise", name=f"{name}{i}", name_pinyin="jiahemaoyiyouxiangongsi",
                 name_initials="jhmyyxgs", uscc=make_uscc(rng), org_unit=unit, org_path=unit.path)
        for i in range(n)
    ])


def test_counts_stop_at_the_cap(world):
    _bulk(world, 30)
    queryset = customer_search(user=world.bj_cm, q="jhmy")
    assert capped_count(queryset, cap=10) == (10, True)
    assert capped_count(queryset, cap=30) == (30, False)
    assert capped_count(queryset, cap=29) == (29, True)
    assert capped_count(customer_search(user=world.sh_cm, q="jhmy"), cap=10) == (0, False)


def test_keyset_pages_neither_skip_nor_repeat_while_customers_are_added(world):
    from tests._fixtures.api import ApiClient

    _bulk(world, 45)
    api = ApiClient(world)
    expected = set(customer_search(user=world.bj_cm, q="嘉禾贸易").values_list("pk", flat=True))
    seen: list[int] = []
    before = None
    pages = 0
    while True:
        path = "/customers?q=嘉禾贸易&limit=10" + (f"&before={before}" if before else "&count=true")
        body = api.get("bj_cm", path).json()
        seen += [c["id"] for c in body["items"]]
        if pages == 0:
            assert (body["count"], body["count_more"]) == (45, False)
        pages += 1
        _bulk(world, 2)  # new customers arrive between pages: they sort before page one, not in the walk
        before = body["next_before"]
        if before is None:
            break
    assert len(seen) == len(set(seen)) and set(seen) == expected
    assert seen == sorted(seen, reverse=True) and pages == 5


def test_list_page_shows_a_capped_count(world, settings):
    _bulk(world, 12)
    client = Client()
    assert client.login(username="bj_cm", password=PASSWORD)
    settings.LANGUAGE_CODE = "zh-hans"
    page = client.get("/customers/", {"q": "jhmy"}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert page.status_code == 200
    assert "共 12 位客户符合条件" in page.content.decode()
    from kehu.customers import search

    search_cap = search.COUNT_CAP
    try:
        search.COUNT_CAP = 5
        page = client.get("/customers/", {"q": "jhmy"}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    finally:
        search.COUNT_CAP = search_cap
    assert "超过 5 位" in page.content.decode()
    second = client.get("/customers/", {"q": "jhmy", "before": 10**9}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert "位客户符合条件" not in second.content.decode()
