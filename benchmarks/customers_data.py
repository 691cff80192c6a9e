"""Data generator shared by the customer benchmarks (not a benchmark itself).

Builds an org tree (HQ, three branches, five sub-branches each), customer managers, and ``n``
customers — about 70 % enterprises with valid unified social credit codes and 30 % individuals
with valid resident ID numbers — with Chinese names, pinyin keys, regions, industries, grades and
statuses. Rows go into the table in bulk, not through the per-customer service, but exactly as the
archive stores them: the personal fields (ID number, phone, address) encrypted with the key ring,
the ID number's blind index beside it, pinyin keys from ``rules.pinyin_keys``. Rows are written with
one multi-row ``executemany`` per batch rather than ``bulk_create``, whose SQL compilation costs more
than everything else together at this size. The FTS5 triggers of
migration 0003 index the rows on SQLite as they are inserted.
"""

from __future__ import annotations

import random
import sys
import time

BRANCHES = {"BJ": "北京分行", "SH": "上海分行", "GZ": "广州分行"}
# Fixed customers that the search benchmark and the docs look for.
KNOWN = [("中国银行股份有限公司", "911000001000013428"), ("中国工商银行股份有限公司", "91100000100003962T")]
WORDS2 = ["科技", "实业", "发展", "控股", "投资", "商贸", "工贸", "能源", "环保", "精工", "电气", "智能", "生物", "医药",
          "食品", "纺织", "钢铁", "航运", "置业", "文化"]


COLUMNS = ("kind", "name", "name_encrypted", "name_pinyin", "name_initials", "uscc", "legal_representative",
           "registered_capital_amount", "currency", "industry", "region", "business_scope", "address", "id_number",
           "id_number_hash", "phone", "occupation", "email", "org_unit_id", "org_path", "manager_id",
           "admission_status", "grade", "termination_reason", "version", "created_by_id", "created_at",
           "updated_at")
# Districts that exist only since a given year (浦东新区 1992, 雁峰区 2001) are left out of the ID
# numbers so that every generated number is valid without a slow validity check per row.
ID_REGIONS = ["110105", "110108", "310104", "440305", "330106", "510107"]


def build(n: int, *, seed: int = 11, batch: int = 10_000, progress: bool = True) -> dict:
    from datetime import date, timedelta

    from django.db import connection, transaction
    from django.utils import timezone
    from stdnum.cn import ric

    from kehu.core import services as core_services
    from kehu.core.crypto import keyring
    from kehu.core.models import OrgUnit, User
    from kehu.customers import rules
    from kehu.customers.generators import (
        CITY,
        GIVEN,
        REGIONS,
        SUFFIXES,
        SURNAMES,
        TRADES,
        WORDS,
        make_address,
        make_mobile,
        make_uscc,
    )
    from kehu.customers.models import Customer

    rng = random.Random(seed)
    if not OrgUnit.objects.filter(code="HQ").exists():
        core_services.org_unit_create(code="HQ", name="总行", actor=None)
        for code, name in BRANCHES.items():
            core_services.org_unit_create(code=code, name=name, parent_code="HQ", actor=None)
            for i in range(1, 6):
                core_services.org_unit_create(code=f"{code}0{i}", name=f"{name}第{i}支行", parent_code=code,
                                              actor=None)
        core_services.user_create(username="bench_hq", org_code="HQ", roles=["customer_manager"],
                                  password="Bench-2026-pass", actor=None)
        for code in BRANCHES:
            core_services.user_create(username=f"bench_{code.lower()}", org_code=code, roles=["customer_manager"],
                                      password="Bench-2026-pass", actor=None)
            for i in range(1, 6):
                core_services.user_create(username=f"bench_{code.lower()}0{i}", org_code=f"{code}0{i}",
                                          roles=["customer_manager"], password="Bench-2026-pass", actor=None,
                                          own_customers_only=True)
    units = list(OrgUnit.objects.filter(code__regex=r"^[A-Z]{2}0\d$").order_by("code"))
    managers = {u.org_unit_id: u.pk for u in User.objects.filter(username__regex=r"^bench_[a-z]{2}0\d$")}
    ring = keyring()
    encrypt, blind = ring.encrypt, ring.blind_index
    # Pinyin of a name is the pinyin of its parts (city, words, trade, suffix; surname, given names):
    # computing it per part keeps pypinyin out of the per-row cost.
    part_keys: dict[str, tuple[str, str]] = {}

    def keys(*parts: str) -> tuple[str, str]:
        full, initials = [], []
        for part in parts:
            found = part_keys.get(part)
            if found is None:
                found = part_keys[part] = rules.pinyin_keys(part)
            full.append(found[0])
            initials.append(found[1])
        return "".join(full), "".join(initials)

    used_codes: set[str] = set(c for c in Customer.objects.values_list("uscc", flat=True) if c)
    used_ids: set[str] = set()
    regions = list(REGIONS)
    statuses = ["active"] * 7 + ["qualified", "prospect", "terminated"]
    start_count = Customer.objects.count()
    known = list(KNOWN) if start_count == 0 else []
    # Stored as Django stores it (naive UTC text on SQLite): a raw executemany would let sqlite3's default
    # adapter write an offset, which no row written by kehu has.
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    born0 = date(1955, 1, 1)
    table = Customer._meta.db_table
    sql = (f"INSERT INTO {table} ({', '.join(COLUMNS)}) VALUES ({', '.join(['%s'] * len(COLUMNS))})")
    made = 0
    started = time.perf_counter()
    while made < n:
        rows = []
        for _ in range(min(batch, n - made)):
            unit = rng.choice(units)
            manager = managers.get(unit.pk) if rng.random() < 0.8 else None
            region = rng.choice(regions)
            common = {"org_unit_id": unit.pk, "org_path": unit.path, "manager_id": manager,
                      "admission_status": rng.choice(statuses), "grade": rng.choice("ABCDE"),
                      "region": REGIONS[region][:3], "phone": encrypt(make_mobile(rng)),
                      "address": encrypt(make_address(rng, region))}
            if known and made + len(rows) >= n // 2:
                name, code = known.pop(0)
                used_codes.add(code)
                rows.append(_row(kind="financial_institution", name=name, uscc=code, industry="货币金融服务",
                                 keys=keys(name), now=now, **common))
                continue
            if rng.random() < 0.7:
                trade, _code = rng.choice(TRADES)
                parts = (rng.choice(CITY), rng.choice(WORDS), rng.choice(WORDS2), trade, rng.choice(SUFFIXES))
                code = make_uscc(rng, region)
                while code in used_codes:
                    code = make_uscc(rng, region)
                used_codes.add(code)
                rows.append(_row(kind="enterprise", name="".join(parts), uscc=code, industry=trade,
                                 legal_representative=rng.choice(SURNAMES) + rng.choice(GIVEN),
                                 capital=rng.randrange(1, 5000) * 10_000, keys=keys(*parts), now=now, **common))
            else:
                parts = (rng.choice(SURNAMES),) + tuple(rng.choice(GIVEN) for _ in range(rng.choice([1, 2])))
                while True:
                    body = (rng.choice(ID_REGIONS) + (born0 + timedelta(days=rng.randrange(0, 365 * 45)))
                            .strftime("%Y%m%d") + f"{rng.randrange(0, 1000):03d}")
                    number = body + ric.calc_check_digit(body + "0")
                    if number not in used_ids:
                        break
                used_ids.add(number)
                rows.append(_row(kind="individual", name="".join(parts), id_number=encrypt(number),
                                 id_number_hash=blind(number), occupation="职员", keys=keys(*parts), now=now,
                                 **common))
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany(sql, rows)
        made += len(rows)
        if progress:
            rate = made / (time.perf_counter() - started)
            print(f"  generated {made:,}/{n:,} customers ({rate:,.0f}/s)", end="\r", flush=True, file=sys.stderr)
    if progress:
        print(file=sys.stderr)
    return {"units": [u.code for u in units], "seconds": time.perf_counter() - started}


def _row(*, kind, name, keys, now, org_unit_id, org_path, manager_id, admission_status, grade, region, phone,
         address, uscc=None, industry="", legal_representative="", capital=None, id_number="", id_number_hash=None,
         occupation="") -> tuple:
    return (kind, name, "", keys[0], keys[1], uscc, legal_representative, capital, "CNY", industry, region, "",
            address, id_number, id_number_hash, phone, occupation, "", org_unit_id, org_path, manager_id,
            admission_status, grade, "", 1, None, now, now)


def prepare(args, n: int) -> str:
    """Set up Django on the benchmark database and make sure it holds ``n`` customers.

    With ``--reuse`` (and ``--home`` / ``--pg-url`` naming the same database as a previous run) the
    customers already there are kept and only the missing ones are generated, so that several
    benchmarks can share one million-row database."""
    from harness import setup_django

    db = setup_django(args, fresh=not getattr(args, "reuse", False))
    from kehu.customers.models import Customer

    have = Customer.objects.count()
    if have < n:
        build(n - have)
    return db


def add_reuse(p) -> None:
    p.add_argument("--reuse", action="store_true",
                   help="keep the customers of a previous run in the same database (--home / --pg-url)")
