"""Transactions are ordered by posted_at, then txn_id compared byte by byte (as SQLite and Python compare
strings). On PostgreSQL the column gets the "C" collation, so that ORDER BY txn_id and txn_id < x agree
with SQLite whatever the database's default collation is."""

from django.db import migrations


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute('ALTER TABLE accounts_accounttransaction ALTER COLUMN txn_id TYPE varchar(64) '
                              'COLLATE "C"')


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute('ALTER TABLE accounts_accounttransaction ALTER COLUMN txn_id TYPE varchar(64) '
                              'COLLATE "default"')


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
