"""The set-based customer import against the row-by-row import through the archive services: the same file
leaves the same customers, change log, consents, audit trail and rejected rows; the audit chain verifies;
search finds imported customers; worker processes give the same result; a unique-index race falls back."""

from __future__ import annotations

import csv
import io
import random

import pytest
from django.db import transaction
from django.test import override_settings

from kehu.bulk.models import ImportRowError
from kehu.bulk.services import run_import
from kehu.core.audit import AuditEvent, verify_chain
from kehu.customers.generators import make_resident_id, make_uscc
from kehu.customers.models import ConsentRecord, Customer, InfoChangeLog
from kehu.customers.selectors import customer_search

HEADER = ["客户类型", "客户名称", "统一社会信用代码", "身份证号", "电话", "邮箱", "地址", "注册资本"]


def write_csv(path, rows):
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(HEADER)
    writer.writerows(rows)
    path.write_bytes(buf.getvalue().encode("utf-8-sig"))
    return path


class Rollback(Exception):
    pass


def key(customer):
    return customer.uscc or customer.id_number


def snapshot(job):
    customers = {}
    for c in Customer.objects.all():
        customers[key(c)] = (c.kind, c.true_name, c.name, c.name_pinyin, c.name_initials, c.uscc, c.id_number,
                             c.id_number_hash, c.phone, c.email, c.address, c.legal_representative,
                             c.registered_capital_amount, c.industry, c.org_path, c.manager_id, c.created_by_id,
                             c.version, c.admission_status)
    keys = {c.pk: key(c) for c in Customer.objects.all()}
    changes = sorted((keys[x.customer_id], x.field, x.old_display, x.new_display, x.is_personal, x.actor_id)
                     for x in InfoChangeLog.objects.all())
    consents = sorted((keys[x.customer_id], tuple(x.fields), x.status) for x in ConsentRecord.objects.all())
    events = [(e.event_code, keys.get(e.customer_id), e.old_values, e.new_values, e.channel, e.actor_id)
              for e in AuditEvent.objects.exclude(event_code=7001).filter(channel="import").order_by("pk")]
    counts = (job.rows_total, job.rows_created, job.rows_updated, job.rows_unchanged, job.rows_rejected)
    rejected = {e.line: (e.reason, e.reason_en) for e in ImportRowError.objects.filter(job=job)}
    return customers, changes, consents, events, counts, rejected


def mixed_file(world, tmp_path):
    rng = random.Random(42)
    e1 = world.enterprise(name="北京老客户有限公司")
    p1 = world.individual(name="王老五", phone="13900000001")
    u2, u3, u4 = make_uscc(rng), make_uscc(rng), make_uscc(rng)
    i2, i3 = make_resident_id(rng), make_resident_id(rng)
    rows = [
        ["企业", "北京新客户有限公司", u2, "", "", "", "", "1,000.50"],        # create
        ["个人", "李四", "", i2, "13800138000", "li@example.com", "北京市海淀区", ""],  # create, personal data
        ["企业", "北京老客户改名有限公司", e1.uscc, "", "", "", "", ""],      # update by credit code
        ["个人", "王老五", "", p1.id_number, "13900000002", "", "", ""],     # personal change -> consent
        ["企业", "北京老客户再改名有限公司", e1.uscc, "", "", "", "", ""],    # same customer again: in order
        ["企业", "北京新客户有限公司", u2, "", "", "", "", "1000.50"],         # the row-1 customer: unchanged
        ["企业", "坏代码公司", "91110000000000000X", "", "", "", "", ""],      # check character
        ["个人", "无证件", "", "", "13800138001", "", "", ""],                # individual without ID
        ["外星人", "某某", "", "", "", "", "", ""],                           # unknown kind
        ["企业", "重号公司", u3, i2, "", "", "", ""],                          # ID number of row 2
        ["散户", "张散户", "", "", "", "", "", ""],                           # scattered buyer, name only
        ["金融机构", "北京某银行", u4, "", "", "", "", "5000000000.00"],
        ["企业", "金额公司", make_uscc(rng), "", "", "", "", "1.001"],       # 3 decimal places
        ["企业", "多错公司", "123", "", "12", "x@", "", "abc"],               # several errors in one row
        ["个人", "赵六", "", i3, "", "", "", ""],
    ]
    return write_csv(tmp_path / "mixed.csv", rows)


def run_both(world, path, **kwargs):
    results = {}
    for set_based in (False, True):
        try:
            with transaction.atomic():
                job = run_import(actor=world.bj_cm, target="customers", path=path, org_code="BJ", chunk_rows=4,
                                 set_based=set_based, workers=1, **kwargs)
                results[set_based] = snapshot(job)
                results[set_based, "chain"] = list(verify_chain())
                raise Rollback
        except Rollback:
            pass
    return results


def test_set_based_import_leaves_what_the_archive_services_leave(world, tmp_path):
    path = mixed_file(world, tmp_path)
    results = run_both(world, path)
    rows, fast = results[False], results[True]
    assert fast[0] == rows[0]  # customers, field by field (decrypted), incl. pinyin, blind index, version
    assert fast[1] == rows[1] and fast[1]  # change log
    assert fast[2] == rows[2] and fast[2]  # consent requests for personal-data changes (S3 Art.8)
    assert fast[3] == rows[3]  # per-customer audit events, in file order
    assert fast[4] == rows[4] == (15, 5, 3, 1, 6)
    assert results[True, "chain"] == [] and results[False, "chain"] == []
    # the same rows are rejected; the set-based reason names every error of the row, the row-by-row reason
    # the first one, so the latter's code is among the former's
    assert fast[5].keys() == rows[5].keys()
    for line, (zh, en) in rows[5].items():
        assert zh.rsplit("[", 1)[1].split(":")[0].strip("]") in fast[5][line][0]
        assert en.rsplit("[", 1)[1].split(":")[0].strip("]") in fast[5][line][1]


def test_every_error_of_a_row_in_chinese_and_english(world, tmp_path):
    path = mixed_file(world, tmp_path)
    job = run_import(actor=world.bj_cm, target="customers", path=path, org_code="BJ")
    from kehu.bulk.services import error_file_bytes

    errors = {r[1]: r for r in csv.reader(io.StringIO(error_file_bytes(job).decode("utf-8-sig")))}
    assert errors["客户名称"][-2:] == ["错误原因", "error_reason"]
    many_zh, many_en = errors["多错公司"][-2:]
    for field in ("uscc", "phone", "email", "registered_capital_amount"):
        assert field in many_zh and field in many_en
    assert "电话号码无效。 [invalid_input: phone]" in many_zh
    assert "The phone number is not valid. [invalid_input: phone]" in many_en
    assert errors["某某"][-2:] == ["未知的客户类型 外星人。 [invalid_input: kind]",
                                 "Unknown customer kind 外星人. [invalid_input: kind]"]


@override_settings(KEHU_ENCRYPT_INDIVIDUAL_NAMES=True)
def test_individual_names_encrypted_like_the_archive(world, tmp_path):
    path = mixed_file(world, tmp_path)
    results = run_both(world, path)
    assert results[True][0] == results[False][0]
    person = [v for v in results[True][0].values() if v[1] == "李四"][0]
    assert person[2] == "李*" and person[3] == "li"


def test_imported_customers_are_found_by_search(world, tmp_path):
    rng = random.Random(8)
    rows = [["企业", f"鑫源{i}号铜业有限公司", make_uscc(rng), "", "", "", "", ""] for i in range(12)]
    run_import(actor=world.bj_cm, target="customers", path=write_csv(tmp_path / "s.csv", rows), org_code="BJ")
    assert customer_search(user=world.bj_cm, q="号铜业").count() == 12  # substring (FTS5 / pg_trgm)
    assert customer_search(user=world.bj_cm, q="xinyuan").count() == 12  # pinyin
    assert customer_search(user=world.bj_cm, q="xy").count() >= 12  # initials
    assert customer_search(user=world.sh_cm, q="号铜业").count() == 0  # scope


def test_worker_processes_give_the_same_result(world, tmp_path):
    path = mixed_file(world, tmp_path)
    inline = run_both(world, path)[True]
    try:
        with transaction.atomic():
            job = run_import(actor=world.bj_cm, target="customers", path=path, org_code="BJ", chunk_rows=4,
                             workers=2)
            forked = snapshot(job)
            raise Rollback
    except Rollback:
        pass
    assert forked[:5] == inline[:5]
    assert forked[5].keys() == inline[5].keys()


def test_a_unique_index_race_falls_back_to_the_archive_services(world, tmp_path, monkeypatch):
    """Another transaction created a customer between the chunk's lookup and its insert (simulated by a
    lookup that misses it): the insert hits the unique index, the segment rolls back to its savepoint and its
    rows go one by one through the archive services, which find the customer and update it."""
    from kehu.bulk import customer_import

    existing = world.enterprise(name="先到公司")
    rng = random.Random(9)
    rows = [["企业", "后到公司", existing.uscc, "", "", "", "", ""],
            ["企业", "新公司", make_uscc(rng), "", "", "", "", ""]]
    real = customer_import.ChunkApplier._load
    calls = {"n": 0}

    def blind_first_lookup(self, rows):
        calls["n"] += 1
        if calls["n"] == 1:
            self.by_uscc.clear()
            self.by_hash.clear()
            return None
        return real(self, rows)

    monkeypatch.setattr(customer_import.ChunkApplier, "_load", blind_first_lookup)
    job = run_import(actor=world.bj_cm, target="customers", path=write_csv(tmp_path / "r.csv", rows), org_code="BJ")
    assert (job.rows_created, job.rows_updated, job.rows_rejected) == (1, 1, 0)
    assert Customer.objects.filter(uscc=existing.uscc).get().name == "后到公司"
    assert Customer.objects.count() == 2
    assert list(verify_chain()) == []


@pytest.mark.parametrize("mode", ["create", "update"])
def test_modes_match_the_archive_services(world, tmp_path, mode):
    path = mixed_file(world, tmp_path)
    results = run_both(world, path, mode=mode)
    assert results[True][:5] == results[False][:5]
    assert results[True][5].keys() == results[False][5].keys()
