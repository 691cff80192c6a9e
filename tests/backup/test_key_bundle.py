"""The separately encrypted key bundle (issue 16): ``--key-bundle FILE`` seals the data keys a set needs and
the audit key under the operator's passphrase; a restore on a kehu that lacks those keys succeeds with the
bundle and fails its check without it; a wrong passphrase is a clear error and a non-zero exit."""

from __future__ import annotations

import base64
import json
import os

import pytest
from django.db import connection
from django.utils.translation import gettext as _

from kehu.backup import services as backup_services
from kehu.backup.bundle import read_bundle
from kehu.backup.errors import KeyBundleRefused
from kehu.backup.services import backup_create, backup_restore
from kehu.cli import main as kehu_main
from kehu.core.crypto import reset_keyring
from kehu.customers import services
from kehu.customers.models import Document

pytestmark = pytest.mark.django_db(transaction=True)

PASS = "correct horse battery staple"
WRONG = "The key bundle could not be opened: the passphrase is wrong, or the bundle was altered."


@pytest.fixture
def fresh_keyring():
    reset_keyring()
    yield
    reset_keyring()


def _with_document(world):
    customer = world.individual()
    services.document_upload(actor=world.bj_cm, customer_id=customer.pk, kind="other", title="合同",
                             filename="c.pdf", content_type="application/pdf", data=b"%PDF-1.4 bundle " * 40)


def _target(tmp_path, name, pg_target) -> str:
    """A restore target of the engine under test (the bundle does not depend on it; a cross-engine restore
    costs a full migrate)."""
    return pg_target() if connection.vendor == "postgresql" else str(tmp_path / f"{name}.sqlite3")


def _other_machine(settings):
    """A kehu configured with other keys than the one that made the set."""
    settings.KEHU_DATA_KEYS = [("k9", os.urandom(32))]
    settings.KEHU_AUDIT_KEY = os.urandom(32)
    reset_keyring()


def test_restore_with_the_bundle_on_a_kehu_without_the_keys(tworld, tmp_path, settings, fresh_keyring, monkeypatch,
                                                             pg_target):
    _with_document(tworld)
    live_keys = list(settings.KEHU_DATA_KEYS)
    run = backup_create(to=tmp_path / "sets", key_bundle=tmp_path / "keys.bundle", passphrase=PASS)
    text = (tmp_path / "keys.bundle").read_text()
    for _kid, material in live_keys:
        assert base64.b64encode(material).decode() not in text  # sealed, not written out
    assert base64.b64encode(settings.KEHU_AUDIT_KEY).decode() not in text
    assert oct((tmp_path / "keys.bundle").stat().st_mode & 0o777) == "0o600"
    opened = read_bundle(tmp_path / "keys.bundle", PASS)
    assert opened.data_keys == [k for k in live_keys if k[0] in run.data_key_ids]
    assert opened.audit_key == settings.KEHU_AUDIT_KEY and opened.backup == os.path.basename(run.path)

    _other_machine(settings)
    without = backup_restore(run.path, into=_target(tmp_path, "a", pg_target), files_dir=tmp_path / "fa",
                             record=False)
    assert not without.ok
    doc_pk = Document.objects.values_list("pk", flat=True).get()
    undecryptable = _("Document %(id)s cannot be decrypted (%(e)s); the data key it needs must be configured.") % {
        "id": doc_pk, "e": "\x00"}
    assert any(p.startswith(undecryptable.split("\x00")[0]) for p in without.problems), without.problems
    assert any(_("Audit chain, row %(row)s: %(kind)s").split("%")[0] in p for p in without.problems), without.problems

    other_keys, other_audit = list(settings.KEHU_DATA_KEYS), settings.KEHU_AUDIT_KEY
    recorded_under = []
    monkeypatch.setattr(backup_services, "_record_restore",
                        lambda *a, **k: recorded_under.append(settings.KEHU_AUDIT_KEY))
    report = backup_restore(run.path, into=_target(tmp_path, "b", pg_target), files_dir=tmp_path / "fb",
                            key_bundle=tmp_path / "keys.bundle", passphrase=PASS)
    assert report.ok, report.problems
    # The restore's own audit row goes to this kehu's chain, under this kehu's key, not the bundle's.
    assert recorded_under == [other_audit]
    assert report.documents == Document.objects.count() == 1
    assert settings.KEHU_DATA_KEYS == other_keys  # the bundle's keys were only lent to the restore


def test_wrong_passphrase_or_altered_bundle_is_refused(tworld, tmp_path, capsys, monkeypatch, fresh_keyring):
    # Refused before any target is touched: SQLite paths that must stay absent, whatever the engine.
    tworld.individual()
    bundle = tmp_path / "keys.bundle"
    run = backup_create(to=tmp_path / "sets", key_bundle=bundle, passphrase=PASS)
    with pytest.raises(KeyBundleRefused) as refused:
        backup_restore(run.path, into=str(tmp_path / "x.sqlite3"), files_dir=tmp_path / "f", key_bundle=bundle,
                       passphrase=PASS + "!")
    assert refused.value.message == _(WRONG)
    assert not (tmp_path / "x.sqlite3").exists()

    raw = json.loads(bundle.read_text())
    raw["kdf"]["n"] = 2**14  # a weaker KDF written into the header is an alteration
    altered = tmp_path / "altered.bundle"
    altered.write_text(json.dumps(raw))
    with pytest.raises(KeyBundleRefused):
        read_bundle(altered, PASS)

    monkeypatch.setenv("KEHU_KEY_BUNDLE_PASSPHRASE", "not the passphrase at all")
    code = kehu_main(["backup", "restore", run.path, "--into", str(tmp_path / "y.sqlite3"),
                      "--files-dir", str(tmp_path / "g"), "--key-bundle", str(bundle)])
    assert code != 0
    assert _(WRONG) in capsys.readouterr().err
    assert not (tmp_path / "y.sqlite3").exists()


def test_cli_writes_a_bundle_and_refuses_a_weak_passphrase_or_an_existing_file(tworld, tmp_path, capsys,
                                                                              monkeypatch, fresh_keyring, pg_target):
    tworld.individual()
    monkeypatch.setenv("KEHU_KEY_BUNDLE_PASSPHRASE", "short")
    assert kehu_main(["backup", "create", "--to", str(tmp_path / "s1"), "--key-bundle", str(tmp_path / "k")]) != 0
    assert " 12 " in capsys.readouterr().err
    assert not (tmp_path / "k").exists() and not list((tmp_path / "s1").glob("*.kbk"))

    monkeypatch.setenv("KEHU_KEY_BUNDLE_PASSPHRASE", PASS)
    assert kehu_main(["backup", "create", "--to", str(tmp_path / "s2"), "--key-bundle", str(tmp_path / "k")]) == 0
    assert "key bundle" in capsys.readouterr().out
    [made] = list((tmp_path / "s2").glob("*.kbk"))
    assert read_bundle(tmp_path / "k", PASS).backup == made.name
    assert kehu_main(["backup", "create", "--to", str(tmp_path / "s3"), "--key-bundle", str(tmp_path / "k")]) != 0
    assert _("%(p)s already exists; a key bundle is never overwritten.") % {"p": tmp_path / "k"} \
        in capsys.readouterr().err

    assert kehu_main(["backup", "restore", str(made), "--into", _target(tmp_path, "r", pg_target),
                      "--files-dir", str(tmp_path / "f"), "--key-bundle", str(tmp_path / "k")]) == 0
    assert "OK: the restore matches the backup" in capsys.readouterr().out
