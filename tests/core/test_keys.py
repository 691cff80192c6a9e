"""Key rotation: add a key, re-encrypt, drop the old key, and every value still reads."""

from __future__ import annotations

import base64
import os

import pytest
from django.db import connection

from kehu.core.audit import Event
from kehu.core.crypto import keyring, reset_keyring
from kehu.core.keys import encrypted_models, file_key_id, reencrypt_all
from kehu.core.models import AuditEvent
from kehu.customers import services
from kehu.customers.errors import DuplicateCustomer
from kehu.customers.generators import make_resident_id
from kehu.customers.models import Contact, Customer, Document
from kehu.customers.selectors import customer_search


def new_key(key_id: str) -> tuple[str, bytes]:
    return key_id, os.urandom(32)


@pytest.fixture
def keys(settings, tmp_path):
    """Isolate files and the key ring; put the original keys back afterwards."""
    settings.KEHU_FILES_DIR = tmp_path / "files"
    original = list(settings.KEHU_DATA_KEYS)

    def use(*key_list):
        settings.KEHU_DATA_KEYS = list(key_list)
        reset_keyring()

    use(*original)
    yield type("Keys", (), {"original": original, "use": staticmethod(use)})
    settings.KEHU_DATA_KEYS = original
    reset_keyring()


def raw_column(model, field: str, pk: int) -> str:
    """The stored ciphertext, bypassing the field's decryption."""
    table = model._meta.db_table
    column = model._meta.get_field(field).column
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {connection.ops.quote_name(column)} FROM {connection.ops.quote_name(table)} WHERE id = %s", [pk]
        )
        return cursor.fetchone()[0]


def archive(world):
    person = world.individual(id_number=make_resident_id(world.rng), phone="13912345678",
                              address="湖南省衡阳市雁峰区蒸湘南路8号", email="li@example.cn")
    company = world.enterprise()
    contact = services.contact_add(actor=world.bj_cm, customer_id=company.pk, name="赵敏", phone="13700001111",
                                   email="zhao@example.cn")
    document = services.document_upload(actor=world.bj_cm, customer_id=company.pk, kind="licence",
                                         title="营业执照", filename="licence.txt", content_type="text/plain",
                                         data="营业执照副本".encode())
    return person, company, contact, document


def test_rotate_reencrypt_and_drop_old_key(world, keys):
    person, company, contact, document = archive(world)
    old_id = keys.original[-1][0]
    assert raw_column(Customer, "id_number", person.pk).startswith(f"v1:{old_id}:")
    rotated = new_key("k9")
    keys.use(*keys.original, rotated)

    stats = reencrypt_all()

    assert stats["problems"] == []
    assert stats["key_id"] == "k9"
    # individual: id_number, phone, address, email; contact: phone, email
    assert stats["values"] >= 6
    assert stats["files"] == 1
    assert stats["hashes"] >= 1
    for field in ("id_number", "phone", "address", "email"):
        assert raw_column(Customer, field, person.pk).startswith("v1:k9:")
    assert raw_column(Contact, "phone", contact.pk).startswith("v1:k9:")
    assert file_key_id(document_path(document).read_bytes()) == "k9"

    event = AuditEvent.objects.filter(event_code=Event.KEYS_REENCRYPTED).get()
    assert event.new_values["key_id"] == "k9"
    assert event.new_values["values"] == stats["values"]
    assert event.new_values["files"] == 1

    keys.use(rotated)  # the old key is gone
    again = Customer.objects.get(pk=person.pk)
    assert again.id_number == person.id_number
    assert again.phone == "13912345678"
    assert again.address == "湖南省衡阳市雁峰区蒸湘南路8号"
    assert Contact.objects.get(pk=contact.pk).email == "zhao@example.cn"
    _doc, data = services.document_read(actor=world.bj_cm, document_id=document.pk)
    assert data == "营业执照副本".encode()


def document_path(document: Document):
    from django.conf import settings

    return settings.KEHU_FILES_DIR / document.storage_name


def test_second_run_changes_nothing(world, keys):
    archive(world)
    keys.use(*keys.original, new_key("k9"))
    first = reencrypt_all()
    assert first["values"] > 0
    second = reencrypt_all()
    assert (second["rows"], second["values"], second["hashes"], second["files"]) == (0, 0, 0, 0)


def test_lookup_by_id_number_works_before_and_after_rotation(world, keys):
    person, *_ = archive(world)
    rotated = new_key("k9")
    keys.use(*keys.original, rotated)
    # Before re-encryption the stored hash is still under the old key; lookups try every key.
    assert list(customer_search(user=world.bj_cm, q=person.id_number)) == [person]

    reencrypt_all()
    keys.use(rotated)
    assert Customer.objects.get(pk=person.pk).id_number_hash == keyring().blind_index(person.id_number)
    assert list(customer_search(user=world.bj_cm, q=person.id_number)) == [person]
    # The duplicate check uses the same index, so it still holds under the new key alone.
    with pytest.raises(DuplicateCustomer):
        world.individual(id_number=person.id_number)


def test_row_under_unknown_key_is_reported_and_left_alone(world, keys):
    good, *_ = archive(world)
    stray = new_key("kx")
    keys.use(stray)
    orphan = world.individual(id_number=make_resident_id(world.rng))
    orphan_cipher = raw_column(Customer, "id_number", orphan.pk)
    keys.use(*keys.original, new_key("k9"))

    stats = reencrypt_all()

    reported = {(p["object"], p["field"]) for p in stats["problems"]}
    assert (f"customers.Customer#{orphan.pk}", "id_number") in reported
    assert all("kx" in p["problem"] for p in stats["problems"])
    assert raw_column(Customer, "id_number", orphan.pk) == orphan_cipher
    # Everything else moved on regardless.
    assert raw_column(Customer, "id_number", good.pk).startswith("v1:k9:")
    event = AuditEvent.objects.filter(event_code=Event.KEYS_REENCRYPTED).get()
    assert event.new_values["problems"] == len(stats["problems"])


def test_unknown_key_file_is_reported(world, keys):
    *_, document = archive(world)
    path = document_path(document)
    blob = bytearray(path.read_bytes())
    forged = bytes(blob[:5]) + bytes([2]) + b"zz" + bytes(blob[6 + blob[5]:])
    path.write_bytes(forged)
    keys.use(*keys.original, new_key("k9"))
    stats = reencrypt_all()
    assert [p["object"] for p in stats["problems"]] == [f"file {document.storage_name}"]
    assert path.read_bytes() == forged


def test_run_interrupted_after_a_batch_resumes(world, keys):
    people = [world.individual() for _ in range(3)]
    keys.use(*keys.original, new_key("k9"))
    calls = []

    def kill_after_first_batch(task, done, total):
        calls.append(task)
        if task == "customers.Customer" and done == 1:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        reencrypt_all(kill_after_first_batch, batch_size=1)
    states = [raw_column(Customer, "id_number", p.pk).split(":")[1] for p in people]
    assert states.count("k9") == 1  # the first batch committed, the rest waits
    assert not AuditEvent.objects.filter(event_code=Event.KEYS_REENCRYPTED).exists()

    stats = reencrypt_all(batch_size=1)
    assert stats["problems"] == []
    assert {raw_column(Customer, "id_number", p.pk).split(":")[1] for p in people} == {"k9"}


def test_encrypted_fields_are_found_through_the_app_registry():
    found = {spec.label: set(spec.fields) for spec in encrypted_models()}
    assert found["customers.Customer"] == {"name_encrypted", "address", "id_number", "phone", "email"}
    assert found["customers.Contact"] == {"phone", "email"}
    # The second factor's secret is encrypted like personal data and re-keyed with it.
    assert found["core.User"] == {"totp_secret"}


def test_generated_key_item_is_accepted_by_the_parser():
    from kehu.conf import new_data_key_item, parse_data_keys

    item = new_data_key_item("k2")
    [(key_id, material)] = parse_data_keys(item)
    assert key_id == "k2" and len(material) == 32
    assert base64.b64decode(item.split(":", 1)[1]) == material
