"""Rejected import rows keep their cells encrypted (issue 11, defect 4): the plaintext JSON column is replaced
by an EncryptedJSONField, and the rows already there are encrypted on the way."""

import json

from django.db import migrations

import kehu.core.fields


def encrypt_existing(apps, schema_editor):
    ImportRowError = apps.get_model("bulk", "ImportRowError")
    batch = []
    for row in ImportRowError.objects.only("pk", "values").iterator(chunk_size=500):
        values = row.values
        if isinstance(values, str):
            values = json.loads(values)
        row.values_sealed = values
        batch.append(row)
        if len(batch) >= 500:
            ImportRowError.objects.bulk_update(batch, ["values_sealed"])
            batch = []
    if batch:
        ImportRowError.objects.bulk_update(batch, ["values_sealed"])


class Migration(migrations.Migration):
    dependencies = [("bulk", "0002_job_progress")]

    operations = [
        migrations.AddField(
            model_name="importrowerror",
            name="values_sealed",
            field=kehu.core.fields.EncryptedJSONField(default=list),
        ),
        migrations.RunPython(encrypt_existing, migrations.RunPython.noop),
        migrations.RemoveField(model_name="importrowerror", name="values"),
        migrations.RenameField(model_name="importrowerror", old_name="values_sealed", new_name="values"),
    ]
