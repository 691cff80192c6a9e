"""The retention policy of the suitability records (kehu.suitability.retention): deleted once every record of an
investor has passed its own keeping period (M-13, at least 20 years), with no extra days by default."""

from django.db import migrations


def seed(apps, schema_editor):
    Policy = apps.get_model("privacy", "RetentionPolicy")
    Policy.objects.get_or_create(data_class="suitability_record", defaults={
        "name": "适当性管理记录", "basis": "中证协发[2012]206号 / domain spec M-13: 至少 20 年 (各记录的保存期限)",
        "period_days": 0, "action": "delete"})


class Migration(migrations.Migration):
    dependencies = [("privacy", "0005_seed_retention_classes")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
