"""The processing-purpose register, the personal fields tied to each purpose (PI-1) and the retention policies
the sweeper applies (domain spec 10.6). Operators change them in the admin."""

from django.db import migrations

PURPOSES = [
    ("kyc_identity", "客户身份识别与反洗钱尽职调查", "legal_duty",
     "依《金融机构客户尽职调查和客户身份资料及交易记录保存管理办法》识别客户身份。", True),
    ("customer_service", "客户档案管理与服务", "contract", "建立客户档案、履行合同、提供客户服务。", True),
    ("contact", "与客户联系", "contract", "就业务、合同与服务与客户及其联系人沟通。", True),
    ("marketing", "营销推广", "consent", "向客户推送产品与活动信息;客户拒绝不影响基本服务。", False),
]

FIELDS = [
    ("customers.Customer", "id_number", "kyc_identity", True, "C2"),
    ("customers.Customer", "name_encrypted", "kyc_identity", False, "C2"),
    ("customers.Customer", "legal_representative", "kyc_identity", False, "C2"),
    ("customers.Customer", "occupation", "kyc_identity", False, "C1"),
    ("customers.Customer", "address", "customer_service", False, "C2"),
    ("customers.Customer", "phone", "contact", False, "C2"),
    ("customers.Customer", "email", "contact", False, "C2"),
    ("customers.Contact", "name", "contact", False, "C2"),
    ("customers.Contact", "phone", "contact", False, "C2"),
    ("customers.Contact", "email", "contact", False, "C2"),
]

POLICIES = [
    ("prospect", "从未成为客户的潜在客户", "domain spec 10.6 [PROPOSED]: 最后联系后 2 年删除", 730, "delete"),
    ("former_customer", "已终止或退出的客户的身份资料", "2022年1号令: 业务关系结束后至少 5 年; 默认 10 年", 3650, "anonymise"),
]


def seed(apps, schema_editor):
    Purpose = apps.get_model("privacy", "ProcessingPurpose")
    Field = apps.get_model("privacy", "PersonalField")
    Policy = apps.get_model("privacy", "RetentionPolicy")
    made = {}
    for code, name, basis, description, essential in PURPOSES:
        made[code], _ = Purpose.objects.get_or_create(code=code, defaults={
            "name": name, "legal_basis": basis, "description": description, "essential": essential})
    for model, field, purpose, sensitive, klass in FIELDS:
        Field.objects.get_or_create(model=model, field=field, defaults={
            "purpose": made[purpose], "sensitive": sensitive, "jr0171_class": klass})
    for data_class, name, basis, days, action in POLICIES:
        Policy.objects.get_or_create(data_class=data_class, defaults={
            "name": name, "basis": basis, "period_days": days, "action": action})


class Migration(migrations.Migration):
    dependencies = [("privacy", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
