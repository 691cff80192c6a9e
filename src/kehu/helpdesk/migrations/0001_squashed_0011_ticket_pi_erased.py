"""helpdesk 0001-0010 and 0011_ticket_pi_erased, squashed (docs/migrations.md): a fresh database gets the tables
in their final form, the business calendar's two included, whose models are still helpdesk's here. Two
migrations stay as they are and run after this one: core 0008_business_calendar takes the calendar's models
over (it needs 0010) and 0011_business_calendar_to_core lets go of them (it needs core 0008), then the merge
0012.

Kept: the default SLA policies of 0004_seed_sla_policies and the complaint categories of
0009_complaint_categories (only the fixed list: the categories already on tickets that 0009 added too cannot
exist in a database built by this migration). Not carried over: 0008_sla_checkpoints's RunPython, which gave
the open tickets of the time their checkpoints; there are none.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from kehu.core.migration_operations import CreateModels


SLA_POLICIES = [
    {"name": "默认（按规则参数）", "kind": "", "first_response_unit": "working_hours", "resolution_unit": "working_days"},
    {"name": "线上服务（按规则参数）", "kind": "online", "first_response_unit": "working_hours",
     "resolution_unit": "working_days"},
]

COMPLAINT_CATEGORIES = ["到货延迟", "质量问题", "开票差错", "服务态度", "单据资料", "其他"]


def seed(apps, schema_editor):
    # The default SLA policies. Their targets are empty, so they take today's rule parameters
    # (service.first_response_working_hours / complaint_resolution_working_days for every ticket type,
    # service.online_first_reply_working_hours / online_full_answer_working_days for online conversations).
    SlaPolicy = apps.get_model("helpdesk", "SlaPolicy")
    for row in SLA_POLICIES:
        if not SlaPolicy.objects.filter(name=row["name"]).exists():
            SlaPolicy.objects.create(**row)
    Category = apps.get_model("helpdesk", "ComplaintCategory")
    Category.objects.bulk_create([Category(name=n, position=i) for i, n in enumerate(COMPLAINT_CATEGORIES)],
                                 ignore_conflicts=True)


def unseed(apps, schema_editor):
    # As 0004 and 0009 did: the SLA policies go, the categories stay.
    apps.get_model("helpdesk", "SlaPolicy").objects.filter(name__in=[r["name"] for r in SLA_POLICIES]).delete()


class Migration(migrations.Migration):

    replaces = [
        ('helpdesk', '0001_initial'),
        ('helpdesk', '0002_knowledge'),
        ('helpdesk', '0003_sla_policy'),
        ('helpdesk', '0004_seed_sla_policies'),
        ('helpdesk', '0005_return_workflow'),
        ('helpdesk', '0006_online_escalation'),
        ('helpdesk', '0007_verbose_names'),
        ('helpdesk', '0008_sla_checkpoints'),
        ('helpdesk', '0008_dissatisfaction_followup'),
        ('helpdesk', '0009_merge_20261207_0509'),
        ('helpdesk', '0009_complaint_categories'),
        ('helpdesk', '0010_merge_20261207_0625'),
        ('helpdesk', '0011_ticket_pi_erased'),
    ]

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ('customers', '0003_search_fts'),
    ]

    operations = [
        CreateModels(
            operations=[
                migrations.CreateModel(
                    name='WorkingHours',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('org_path', models.CharField(max_length=255, unique=True, verbose_name='org unit path')),
                        ('sessions', models.JSONField(help_text='e.g. [["08:30","12:00"],["13:30","17:30"]]', verbose_name='working sessions')),
                    ],
                    options={
                        'verbose_name': 'working hours',
                        'verbose_name_plural': 'working hours',
                    },
                ),
                migrations.CreateModel(
                    name='CalendarOverride',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('org_path', models.CharField(blank=True, help_text='Empty for all org units', max_length=255, verbose_name='org unit path')),
                        ('day', models.DateField(verbose_name='day')),
                        ('working', models.BooleanField(verbose_name='working day')),
                        ('note', models.CharField(blank=True, max_length=120, verbose_name='note')),
                    ],
                    options={
                        'unique_together': {('org_path', 'day')},
                        'verbose_name': 'calendar override',
                        'verbose_name_plural': 'calendar overrides',
                    },
                ),
                migrations.CreateModel(
                    name='Ticket',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(choices=[('complaint', 'Complaint'), ('return', 'Return'), ('allowance', 'Price allowance'), ('enquiry', 'Enquiry'), ('online', 'Online conversation'), ('dissatisfaction', 'Dissatisfaction follow-up')], max_length=16, verbose_name='kind')),
                        ('org_path', models.CharField(db_index=True, max_length=255, verbose_name='org unit path')),
                        ('state', models.CharField(choices=[('received', 'Received'), ('acknowledged', 'Acknowledged'), ('investigating', 'Investigating'), ('extended_30', 'Extended by 30 days'), ('extended_60', 'Extended by 60 days'), ('resolution_proposed', 'Resolution proposed'), ('approved', 'Approved'), ('communicated', 'Communicated'), ('closed', 'Closed'), ('reopened', 'Reopened'), ('withdrawn', 'Withdrawn'), ('rejected', 'Rejected'), ('authorised', 'Authorised'), ('goods_received', 'Goods received'), ('inspected', 'Inspected'), ('dispositioned', 'Disposition decided'), ('credited', 'Credit note issued')], default='received', max_length=24, verbose_name='state')),
                        ('subject', models.CharField(max_length=200, verbose_name='subject')),
                        ('description', models.TextField(blank=True, verbose_name='what the customer said')),
                        ('category', models.CharField(blank=True, max_length=64, verbose_name='category')),
                        ('root_cause', models.CharField(blank=True, max_length=64, verbose_name='root cause')),
                        ('product', models.CharField(blank=True, max_length=120, verbose_name='product')),
                        ('data', models.JSONField(blank=True, default=dict, verbose_name='details')),
                        ('amount', models.DecimalField(blank=True, decimal_places=2, max_digits=20, null=True, verbose_name='amount')),
                        ('currency', models.CharField(default='CNY', max_length=3, verbose_name='currency')),
                        ('financial_consumer', models.BooleanField(default=False, verbose_name='financial consumer')),
                        ('received_at', models.DateTimeField(verbose_name='received at')),
                        ('sla_unit', models.CharField(default='working_hours', max_length=16, verbose_name='SLA unit')),
                        ('first_response_due', models.DateTimeField(blank=True, null=True, verbose_name='first response due')),
                        ('first_responded_at', models.DateTimeField(blank=True, null=True, verbose_name='first responded at')),
                        ('resolution_due', models.DateTimeField(blank=True, db_index=True, null=True, verbose_name='resolution due')),
                        ('regulatory_due', models.DateTimeField(blank=True, null=True, verbose_name='regulatory deadline')),
                        ('paused_at', models.DateTimeField(blank=True, null=True, verbose_name='paused at')),
                        ('warned_fraction', models.DecimalField(decimal_places=2, default=0, max_digits=4, verbose_name='warned at fraction')),
                        ('breached', models.BooleanField(default=False, verbose_name='breached')),
                        ('closed_at', models.DateTimeField(blank=True, null=True, verbose_name='closed at')),
                        ('approved_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='approved by')),
                        ('created_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='recorded by')),
                        ('customer', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='tickets', to='customers.customer', verbose_name='customer')),
                        ('handler', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='handler')),
                        ('owner', models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='customer manager')),
                        ('subject_user', models.ForeignKey(blank=True, help_text='Staff member the complaint is about', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='staff member complained about')),
                        ('channel', models.CharField(choices=[('phone', 'Phone'), ('email', 'Email'), ('letter', 'Letter'), ('online', 'Online'), ('visit', 'Visit')], default='phone', max_length=8, verbose_name='channel')),
                        ('contract', models.CharField(blank=True, max_length=120, verbose_name='contract')),
                        ('priority', models.CharField(choices=[('low', 'Low'), ('normal', 'Normal'), ('high', 'High'), ('urgent', 'Urgent')], default='normal', max_length=8, verbose_name='priority')),
                        ('team', models.CharField(blank=True, max_length=64, verbose_name='team')),
                        ('sla_policy', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='helpdesk.slapolicy', verbose_name='SLA policy')),
                        ('disposition', models.CharField(blank=True, choices=[('rework', 'Rework'), ('replace', 'Replace'), ('refund', 'Refund')], max_length=8, verbose_name='disposition')),
                        ('articles', models.ManyToManyField(blank=True, related_name='tickets', to='helpdesk.knowledgearticle', verbose_name='knowledge articles')),
                        ('decided_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='decided by')),
                        ('escalated_at', models.DateTimeField(blank=True, null=True, verbose_name='escalated at')),
                        ('pi_erased_at', models.DateTimeField(blank=True, null=True, verbose_name='personal data erased at')),
                    ],
                    options={
                        'indexes': [models.Index(fields=['state', 'resolution_due'], name='helpdesk_ti_state_5d0945_idx')],
                        'verbose_name': 'ticket',
                        'verbose_name_plural': 'tickets',
                    },
                ),
                migrations.CreateModel(
                    name='SlaBreach',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('clock', models.CharField(max_length=16)),
                        ('due_at', models.DateTimeField()),
                        ('recorded_at', models.DateTimeField()),
                        ('handler', models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('ticket', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='breaches', to='helpdesk.ticket')),
                    ],
                ),
                migrations.CreateModel(
                    name='ReceivableReduction',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('reduction_amount', models.DecimalField(decimal_places=2, max_digits=20)),
                        ('currency', models.CharField(default='CNY', max_length=3)),
                        ('effective_date', models.DateField()),
                        ('source', models.CharField(max_length=16)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('customer', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='customers.customer')),
                        ('ticket', models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name='reduction', to='helpdesk.ticket')),
                    ],
                ),
                migrations.CreateModel(
                    name='KnowledgeArticle',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('title', models.CharField(max_length=200, verbose_name='title')),
                        ('body', models.TextField(verbose_name='text')),
                        ('tags', models.CharField(blank=True, max_length=200, verbose_name='tags')),
                        ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated at')),
                    ],
                    options={
                        'verbose_name': 'knowledge article',
                        'verbose_name_plural': 'knowledge articles',
                    },
                ),
                migrations.CreateModel(
                    name='SlaPolicy',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('name', models.CharField(max_length=120, verbose_name='name')),
                        ('kind', models.CharField(blank=True, choices=[('complaint', 'Complaint'), ('return', 'Return'), ('allowance', 'Price allowance'), ('enquiry', 'Enquiry'), ('online', 'Online conversation'), ('dissatisfaction', 'Dissatisfaction follow-up')], max_length=16, verbose_name='ticket type')),
                        ('priority', models.CharField(blank=True, choices=[('low', 'Low'), ('normal', 'Normal'), ('high', 'High'), ('urgent', 'Urgent')], max_length=8, verbose_name='priority')),
                        ('customer_grade', models.CharField(blank=True, max_length=1, verbose_name='customer grade')),
                        ('channel', models.CharField(blank=True, choices=[('phone', 'Phone'), ('email', 'Email'), ('letter', 'Letter'), ('online', 'Online'), ('visit', 'Visit')], max_length=8, verbose_name='channel')),
                        ('first_response_amount', models.PositiveIntegerField(blank=True, help_text='Empty: use the rule parameter', null=True, verbose_name='first-response target')),
                        ('first_response_unit', models.CharField(choices=[('working_hours', 'Working hours'), ('working_days', 'Working days'), ('calendar_days', 'Calendar days')], default='working_hours', max_length=16, verbose_name='first-response unit')),
                        ('resolution_amount', models.PositiveIntegerField(blank=True, help_text='Empty: use the rule parameter', null=True, verbose_name='resolution target')),
                        ('resolution_unit', models.CharField(choices=[('working_hours', 'Working hours'), ('working_days', 'Working days'), ('calendar_days', 'Calendar days')], default='working_days', max_length=16, verbose_name='resolution unit')),
                        ('active', models.BooleanField(default=True, verbose_name='active')),
                        ('customer', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='customers.customer', verbose_name='customer')),
                    ],
                    options={
                        'verbose_name': 'SLA policy',
                        'verbose_name_plural': 'SLA policies',
                    },
                ),
                migrations.CreateModel(
                    name='SlaCheckpoint',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('clock', models.CharField(max_length=16)),
                        ('fraction', models.DecimalField(decimal_places=2, max_digits=4)),
                        ('at', models.DateTimeField()),
                        ('done_at', models.DateTimeField(blank=True, null=True)),
                        ('ticket', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='checkpoints', to='helpdesk.ticket')),
                    ],
                    options={
                        'indexes': [models.Index(condition=models.Q(('done_at__isnull', True)), fields=['at'], name='helpdesk_checkpoint_pending')],
                    },
                ),
                migrations.CreateModel(
                    name='ComplaintCategory',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('name', models.CharField(max_length=64, unique=True, verbose_name='name')),
                        ('active', models.BooleanField(default=True, verbose_name='active')),
                        ('position', models.PositiveIntegerField(default=0, verbose_name='position')),
                    ],
                    options={
                        'verbose_name': 'ticket category',
                        'verbose_name_plural': 'ticket categories',
                        'ordering': ['position', 'name'],
                    },
                ),
            ],
        ),
        migrations.RunPython(seed, unseed),
    ]
