"""privacy 0001-0005, squashed (docs/migrations.md): a fresh database gets the tables in their final form.

Kept: the processing-purpose register, the personal fields tied to each purpose (PI-1) and the retention policies
the sweeper applies (domain spec 10.6), seeded by 0002_seed_register and 0005_seed_retention_classes, in the same
order. Operators change them in the admin.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import kehu.core.fields
from kehu.core.migration_operations import CreateModels


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

# 0002_seed_register's policies, then those of the data classes the other apps register (0005: complaint files,
# visitor registrations, survey comments).
POLICIES = [
    ("prospect", "从未成为客户的潜在客户", "domain spec 10.6 [PROPOSED]: 最后联系后 2 年删除", 730, "delete"),
    ("former_customer", "已终止或退出的客户的身份资料", "2022年1号令: 业务关系结束后至少 5 年; 默认 10 年", 3650, "anonymise"),
    ("complaint_file", "投诉档案", "domain spec 10.6 [PROPOSED]: 结案后至少 3 年", 1095, "anonymise"),
    ("visitor_registration", "访客登记", "domain spec 10.6 [PROPOSED]: 180 天; V-9", 180, "anonymise"),
    ("survey_comment", "满意度调查中的客户留言", "个人信息保护法 第19条 (最短必要期限); 3 年 [PROPOSED]", 1095,
     "anonymise"),
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

    replaces = [
        ('privacy', '0001_initial'),
        ('privacy', '0002_seed_register'),
        ('privacy', '0003_change_notice'),
        ('privacy', '0004_retention_classes'),
        ('privacy', '0005_seed_retention_classes'),
    ]

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ('customers', '0004_customer_pi_restricted'),
        ('outbox', '0001_initial'),
    ]

    operations = [
        CreateModels(
            operations=[
                migrations.CreateModel(
                    name='PrivacyNotice',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('version', models.CharField(max_length=32, unique=True, verbose_name='version')),
                        ('content', models.TextField(verbose_name='content')),
                        ('effective_from', models.DateField(verbose_name='effective from')),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                    ],
                    options={
                        'verbose_name': 'privacy notice',
                        'verbose_name_plural': 'privacy notices',
                        'ordering': ['-effective_from', '-id'],
                    },
                ),
                migrations.CreateModel(
                    name='ProcessingPurpose',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('code', models.CharField(max_length=64, unique=True, verbose_name='code')),
                        ('name', models.CharField(max_length=200, verbose_name='name')),
                        ('legal_basis', models.CharField(choices=[('consent', 'Consent'), ('contract', 'Necessary for a contract with the person'), ('hr', 'Human-resources management'), ('legal_duty', 'Legal duty or obligation'), ('emergency', 'Public-health emergency or protection of life'), ('news', 'News reporting in the public interest'), ('public', 'Information the person has made public')], max_length=16, verbose_name='legal basis')),
                        ('description', models.TextField(blank=True, verbose_name='description')),
                        ('essential', models.BooleanField(default=True, help_text='Service may not be refused for declining a non-essential purpose (PIPL Art.16).', verbose_name='needed for the service')),
                    ],
                    options={
                        'verbose_name': 'processing purpose',
                        'verbose_name_plural': 'processing purposes',
                        'ordering': ['code'],
                    },
                ),
                migrations.CreateModel(
                    name='RetentionPolicy',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('data_class', models.CharField(max_length=64, unique=True, verbose_name='data class')),
                        ('name', models.CharField(max_length=200, verbose_name='name')),
                        ('basis', models.CharField(max_length=300, verbose_name='legal basis')),
                        ('period_days', models.PositiveIntegerField(verbose_name='period (days)')),
                        ('action', models.CharField(choices=[('anonymise', 'Anonymise'), ('delete', 'Delete'), ('restrict', 'Restrict (keep, hidden from use)')], max_length=16, verbose_name='action')),
                        ('active', models.BooleanField(default=True, verbose_name='active')),
                    ],
                    options={
                        'verbose_name': 'retention policy',
                        'verbose_name_plural': 'retention policies',
                        'ordering': ['data_class'],
                    },
                ),
                migrations.CreateModel(
                    name='SweepRun',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('started_at', models.DateTimeField(verbose_name='started at')),
                        ('dry_run', models.BooleanField(verbose_name='dry run')),
                        ('items', models.JSONField(default=list, verbose_name='items')),
                        ('erased', models.PositiveIntegerField(default=0)),
                        ('restricted', models.PositiveIntegerField(default=0)),
                        ('classes', models.JSONField(default=list, verbose_name='per data class')),
                    ],
                    options={
                        'verbose_name': 'retention sweep',
                        'verbose_name_plural': 'retention sweeps',
                        'ordering': ['-started_at'],
                    },
                ),
                migrations.CreateModel(
                    name='DataSubjectRequest',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(choices=[('access', 'Access and copy'), ('correction', 'Correction'), ('deletion', 'Deletion'), ('explanation', 'Explanation of the processing rules')], max_length=16, verbose_name='kind')),
                        ('state', models.CharField(choices=[('received', 'Received'), ('verified', 'Identity verified'), ('done', 'Done'), ('refused', 'Refused')], default='received', max_length=16, verbose_name='state')),
                        ('detail', models.TextField(blank=True, verbose_name='what the person asks')),
                        ('channel', models.CharField(choices=[('paper', 'Signed form'), ('counter', 'At the counter'), ('phone', 'By telephone (recorded)'), ('online', 'Online')], max_length=16, verbose_name='channel')),
                        ('received_at', models.DateTimeField(verbose_name='received at')),
                        ('verified_at', models.DateTimeField(blank=True, null=True, verbose_name='identity verified at')),
                        ('verification', models.CharField(blank=True, max_length=200, verbose_name='how the identity was verified')),
                        ('due_at', models.DateTimeField(verbose_name='due')),
                        ('cap_at', models.DateTimeField(verbose_name='latest')),
                        ('closed_at', models.DateTimeField(blank=True, null=True, verbose_name='closed at')),
                        ('outcome', models.TextField(blank=True, verbose_name='outcome')),
                        ('reason', models.TextField(blank=True, verbose_name='reason')),
                        ('closed_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('customer', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='privacy_requests', to='customers.customer')),
                        ('received_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('verified_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'verbose_name': 'data-subject request',
                        'verbose_name_plural': 'data-subject requests',
                        'ordering': ['due_at', 'id'],
                        'indexes': [models.Index(fields=['state', 'due_at'], name='privacy_request_open_due')],
                    },
                ),
                migrations.CreateModel(
                    name='LegalHold',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(choices=[('complaint', 'Open or recent complaint'), ('suitability', 'Suitability records (>= 20 years)'), ('aml', 'Anti-money-laundering retention (>= 5 years)'), ('litigation', 'Litigation or investigation'), ('accounting', 'Accounting archives')], max_length=16, verbose_name='kind')),
                        ('reason', models.CharField(max_length=300, verbose_name='reason')),
                        ('placed_at', models.DateTimeField(verbose_name='placed at')),
                        ('until', models.DateField(blank=True, null=True, verbose_name='until')),
                        ('released_at', models.DateTimeField(blank=True, null=True, verbose_name='released at')),
                        ('customer', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='legal_holds', to='customers.customer')),
                        ('placed_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'verbose_name': 'legal hold',
                        'verbose_name_plural': 'legal holds',
                        'ordering': ['-placed_at'],
                    },
                ),
                migrations.CreateModel(
                    name='PersonalField',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('model', models.CharField(max_length=100, verbose_name='model')),
                        ('field', models.CharField(max_length=100, verbose_name='field')),
                        ('sensitive', models.BooleanField(default=False, verbose_name='sensitive personal information')),
                        ('jr0171_class', models.CharField(blank=True, max_length=4, verbose_name='JR/T 0171 class')),
                        ('purpose', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='fields', to='privacy.processingpurpose')),
                    ],
                    options={
                        'verbose_name': 'personal field',
                        'verbose_name_plural': 'personal fields',
                        'constraints': [models.UniqueConstraint(fields=('model', 'field'), name='privacy_field_once')],
                    },
                ),
                migrations.CreateModel(
                    name='Consent',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(choices=[('general', 'Consent'), ('separate', 'Separate consent (sensitive personal information)')], default='general', max_length=16, verbose_name='kind')),
                        ('channel', models.CharField(choices=[('paper', 'Signed form'), ('counter', 'At the counter'), ('phone', 'By telephone (recorded)'), ('online', 'Online')], max_length=16, verbose_name='channel')),
                        ('given_at', models.DateTimeField(verbose_name='given at')),
                        ('withdrawn_at', models.DateTimeField(blank=True, null=True, verbose_name='withdrawn at')),
                        ('customer', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='purpose_consents', to='customers.customer')),
                        ('recorded_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('notice', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='consents', to='privacy.privacynotice')),
                        ('purpose', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='consents', to='privacy.processingpurpose')),
                    ],
                    options={
                        'verbose_name': 'consent',
                        'verbose_name_plural': 'consents',
                        'ordering': ['-given_at'],
                        'constraints': [models.UniqueConstraint(condition=models.Q(('withdrawn_at__isnull', True)), fields=('customer', 'purpose'), name='privacy_one_live_consent_per_purpose')],
                    },
                ),
                migrations.CreateModel(
                    name='Erasure',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('customer_ref', models.BigIntegerField(db_index=True, verbose_name='customer')),
                        ('cause', models.CharField(choices=[('request', 'Data-subject request'), ('retention', 'Retention period ended')], max_length=16, verbose_name='cause')),
                        ('at', models.DateTimeField(verbose_name='erased at')),
                        ('action', models.CharField(max_length=16, verbose_name='action')),
                        ('counts', models.JSONField(default=dict)),
                        ('reapplied', models.BooleanField(default=False, verbose_name='re-applied after a restore')),
                        ('request', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, to='privacy.datasubjectrequest')),
                        ('policy', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, to='privacy.retentionpolicy')),
                    ],
                    options={
                        'verbose_name': 'erasure',
                        'verbose_name_plural': 'erasures',
                        'ordering': ['-at'],
                    },
                ),
                migrations.CreateModel(
                    name='ChangeNotice',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('old_values', kehu.core.fields.EncryptedTextField(blank=True, default='')),
                        ('outcome', models.CharField(choices=[('pending', 'Waiting for the customer'), ('confirmed', 'Agreed'), ('undone', 'Refused: the change was undone'), ('flagged', 'Refused: for the customer manager to resolve'), ('unreachable', 'No address to notify: for the customer manager')], default='pending', max_length=16, verbose_name='outcome')),
                        ('created_at', models.DateTimeField(verbose_name='created at')),
                        ('answered_at', models.DateTimeField(blank=True, null=True, verbose_name='answered at')),
                        ('consent', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='notice', to='customers.consentrecord')),
                        ('customer', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='change_notices', to='customers.customer')),
                        ('link', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='outbox.signedlink')),
                        ('message', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='outbox.message')),
                    ],
                    options={
                        'verbose_name': 'change notice',
                        'verbose_name_plural': 'change notices',
                        'ordering': ['-created_at'],
                        'indexes': [models.Index(fields=['outcome'], name='privacy_notice_outcome')],
                    },
                ),
            ],
        ),
        migrations.RunPython(seed, migrations.RunPython.noop),
    ]
