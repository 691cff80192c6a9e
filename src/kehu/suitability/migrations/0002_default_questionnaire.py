"""Seed the first risk questionnaire (``kehu.suitability.defaults``)."""

from django.db import migrations


def seed(apps, schema_editor):
    from kehu.suitability.defaults import ensure_default_questionnaire

    ensure_default_questionnaire(apps.get_model("suitability", "Questionnaire"))


class Migration(migrations.Migration):
    dependencies = [("suitability", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
