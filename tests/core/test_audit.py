"""The hash-chained audit log: editing, deleting and reordering rows are each detected."""

from __future__ import annotations

import json

import pytest
from django.db import connection, transaction

from kehu.core.audit import Event, audit_record, seal, verify_chain
from kehu.core.models import AuditChainHead, AuditEvent
from kehu.customers.events import CustomerEvent

pytestmark = pytest.mark.usefixtures("english")  # messages are asserted in English

TABLE = AuditEvent._meta.db_table
CONTENT_COLUMNS = [
    "ts",
    "actor_id",
    "actor_name",
    "event_code",
    "event",
    "object_type",
    "object_id",
    "customer_id",
    "old_values",
    "new_values",
    "reason",
    "ip",
    "channel",
    "prev_hash",
    "row_hash",
]


def sql(statement: str, params=()) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def json_param() -> str:
    # PostgreSQL stores JSONField as jsonb and wants the text cast; SQLite stores the text itself.
    return "CAST(%s AS jsonb)" if connection.vendor == "postgresql" else "%s"


def problems():
    return [(p.row_id, p.kind) for p in verify_chain()]


@pytest.fixture
def chain(world):
    """A world with some history: an admitted customer, an unmasking and an update."""
    from kehu.customers import services

    customer = world.admit(world.enterprise())
    person = world.individual()
    services.customer_update(actor=world.bj_cm, customer_id=person.pk, changes={"phone": "13911112222"})
    services.customer_unmask(
        actor=world.bj_cm, customer_id=person.pk, fields=["phone"], reason="核实电话号码"
    )
    seal()  # what the sealer does after each commit (the test's transaction never commits)
    ids = list(AuditEvent.objects.order_by("id").values_list("id", flat=True))
    assert len(ids) > 30
    return {"customer": customer, "ids": ids}


def test_the_chain_of_a_real_history_verifies(chain):
    assert problems() == []
    head = AuditChainHead.objects.get(pk=1)
    last = AuditEvent.objects.order_by("-id").first()
    assert (head.last_id, head.last_hash, head.count) == (last.pk, last.row_hash, len(chain["ids"]))
    rows = list(AuditEvent.objects.order_by("id"))
    assert all(later.prev_hash == earlier.row_hash for earlier, later in zip(rows, rows[1:], strict=False))


def test_editing_the_new_values_of_a_row_is_detected(chain):
    target = AuditEvent.objects.filter(event_code=CustomerEvent.ADMISSION_QUALIFIED).get()
    sql(
        f"UPDATE {TABLE} SET new_values = {json_param()} WHERE id = %s",
        [json.dumps({"status": "rejected", "round": 1}), target.pk],
    )
    assert problems() == [(target.pk, "edited")]


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("reason", "无"),
        ("actor_name", "someone_else"),
        ("customer_id", 999999),
        ("event_code", Event.LOGIN_OK),
    ],
)
def test_editing_any_field_of_a_row_is_detected(chain, column, value):
    target = chain["ids"][len(chain["ids"]) // 2]
    sql(f"UPDATE {TABLE} SET {column} = %s WHERE id = %s", [value, target])
    assert problems() == [(target, "edited")]


def test_editing_the_time_of_a_row_is_detected(chain):
    target = chain["ids"][5]
    row = AuditEvent.objects.get(pk=target)
    AuditEvent.objects.filter(pk=target).update(ts=row.ts.replace(year=row.ts.year - 1))
    assert problems() == [(target, "edited")]


def test_an_edited_row_rehashed_without_the_key_is_still_detected(chain):
    # The insider recomputes the row's hash the old way (plain SHA-256): the keyed row does not verify.
    from kehu.core.audit import _content
    from kehu.core.rules import audit_row_hash

    target_id = chain["ids"][10]
    sql(f"UPDATE {TABLE} SET reason = %s WHERE id = %s", ["篡改", target_id])
    forged = AuditEvent.objects.get(pk=target_id)
    sql(
        f"UPDATE {TABLE} SET row_hash = %s WHERE id = %s",
        [audit_row_hash(forged.prev_hash, _content(forged)), target_id],
    )
    assert problems() == [(target_id, "edited"), (chain["ids"][11], "broken_link")]


def test_an_edited_row_whose_own_hash_is_recomputed_with_the_key_still_breaks_the_link(chain):
    from kehu.core.audit import _content, audit_key, content_hmac, link_hmac

    target_id = chain["ids"][10]
    sql(f"UPDATE {TABLE} SET reason = %s WHERE id = %s", ["篡改", target_id])
    forged = AuditEvent.objects.get(pk=target_id)
    content_hash = content_hmac(audit_key(), _content(forged))
    sql(
        f"UPDATE {TABLE} SET content_hash = %s, row_hash = %s WHERE id = %s",
        [content_hash, link_hmac(audit_key(), forged.prev_hash, forged.seal_seq, content_hash), target_id],
    )
    assert problems() == [(chain["ids"][11], "broken_link")]


def test_deleting_a_middle_row_is_detected(chain):
    victim = chain["ids"][len(chain["ids"]) // 2]
    sql(f"DELETE FROM {TABLE} WHERE id = %s", [victim])
    found = problems()
    following = chain["ids"][chain["ids"].index(victim) + 1]
    assert (following, "broken_link") in found
    assert (None, "count_mismatch") in found


def test_swapping_two_rows_is_detected(chain):
    first, second = chain["ids"][7], chain["ids"][8]
    cols = ", ".join(CONTENT_COLUMNS)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {cols} FROM {TABLE} WHERE id = %s", [first])
        row_a = cursor.fetchone()
        cursor.execute(f"SELECT {cols} FROM {TABLE} WHERE id = %s", [second])
        row_b = cursor.fetchone()
    assignments = ", ".join(
        f"{c} = {json_param() if c.endswith('_values') else '%s'}" for c in CONTENT_COLUMNS
    )

    def as_param(column, value):
        if column.endswith("_values") and value is not None and not isinstance(value, str):
            return json.dumps(value)  # psycopg returns jsonb decoded
        return value

    for target, values in ((first, row_b), (second, row_a)):
        sql(
            f"UPDATE {TABLE} SET {assignments} WHERE id = %s",
            [as_param(c, v) for c, v in zip(CONTENT_COLUMNS, values, strict=True)] + [target],
        )
    assert AuditEvent.objects.get(pk=first).event_code == row_b[CONTENT_COLUMNS.index("event_code")]
    found = problems()
    assert found, "a reordering went unnoticed"
    assert {row_id for row_id, _kind in found} >= {first, second}


def test_deleting_the_newest_row_is_detected(chain):
    newest = chain["ids"][-1]
    sql(f"DELETE FROM {TABLE} WHERE id = %s", [newest])
    found = problems()
    assert (newest, "missing_tail") in found
    assert (None, "count_mismatch") in found


def test_rows_appended_after_tampering_do_not_hide_it(chain, world):
    target = chain["ids"][3]
    sql(f"UPDATE {TABLE} SET reason = %s WHERE id = %s", ["x", target])
    with transaction.atomic():
        audit_record(actor=world.admin, event_code=Event.ADMIN_CHANGE, object_type="test", object_id=1)
    assert problems() == [(target, "edited")]


def test_audit_record_outside_a_transaction_raises(transactional_db):
    before = AuditEvent.objects.count()
    with pytest.raises(RuntimeError, match="inside transaction.atomic"):
        audit_record(actor=None, event_code=Event.ADMIN_CHANGE, object_type="test", object_id=1)
    assert AuditEvent.objects.count() == before


def test_a_rolled_back_service_leaves_no_audit_row_and_the_chain_intact(chain, world):
    before = AuditEvent.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        audit_record(actor=world.admin, event_code=Event.ADMIN_CHANGE, object_type="test", object_id=2)
        raise RuntimeError("the change failed after its audit row was written")
    assert AuditEvent.objects.count() == before
    assert problems() == []
