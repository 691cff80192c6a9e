"""Seed the default SLA policies. Their targets are empty, so they take today's rule parameters
(service.first_response_working_hours / complaint_resolution_working_days for every ticket type,
service.online_first_reply_working_hours / online_full_answer_working_days for online conversations)."""

from django.db import migrations

SEED = [
    {"name": "默认（按规则参数）", "kind": "", "first_response_unit": "working_hours", "resolution_unit": "working_days"},
    {"name": "线上服务（按规则参数）", "kind": "online", "first_response_unit": "working_hours",
     "resolution_unit": "working_days"},
]


def seed(apps, schema_editor):
    SlaPolicy = apps.get_model("helpdesk", "SlaPolicy")
    for row in SEED:
        if not SlaPolicy.objects.filter(name=row["name"]).exists():
            SlaPolicy.objects.create(**row)


def unseed(apps, schema_editor):
    apps.get_model("helpdesk", "SlaPolicy").objects.filter(name__in=[r["name"] for r in SEED]).delete()


class Migration(migrations.Migration):
    dependencies = [("helpdesk", "0003_sla_policy")]
    operations = [migrations.RunPython(seed, unseed)]
