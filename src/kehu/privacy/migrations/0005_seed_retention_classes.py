"""The retention policies of the data classes the other apps register (domain spec 10.6, PI-5): complaint
files (helpdesk), visitor registrations (reception), survey comments (surveys). Operators change period and
action in the admin; the apps' own holds (open complaints, suitability records, AML periods) are not
policies but rules (kehu.core.retention.HOLD_RULES)."""

from django.db import migrations

POLICIES = [
    ("complaint_file", "投诉档案", "domain spec 10.6 [PROPOSED]: 结案后至少 3 年", 1095, "anonymise"),
    ("visitor_registration", "访客登记", "domain spec 10.6 [PROPOSED]: 180 天; V-9", 180, "anonymise"),
    ("survey_comment", "满意度调查中的客户留言", "个人信息保护法 第19条 (最短必要期限); 3 年 [PROPOSED]", 1095,
     "anonymise"),
]


def seed(apps, schema_editor):
    Policy = apps.get_model("privacy", "RetentionPolicy")
    for data_class, name, basis, days, action in POLICIES:
        Policy.objects.get_or_create(data_class=data_class, defaults={
            "name": name, "basis": basis, "period_days": days, "action": action})


class Migration(migrations.Migration):
    dependencies = [("privacy", "0004_retention_classes")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
