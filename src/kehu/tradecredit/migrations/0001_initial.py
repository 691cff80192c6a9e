# Trade credit becomes an app of its own (issue 12, item 3): it takes over the tables of the credit
# account, the limits and the limit changes in the migration state only. The tables keep their names
# (db_table), so no row moves; trade 0004 lets go of the models.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ('customers', '0003_search_fts'),
        ('trade', '0003_prepaid_orders'),  # the tables exist
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='CreditAccount',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('limit_amount', models.DecimalField(decimal_places=2, default=0, max_digits=20, verbose_name='credit limit')),
                        ('term_days', models.PositiveIntegerField(default=0, verbose_name='credit term (days)')),
                        ('grade', models.CharField(blank=True, max_length=1, verbose_name='grade')),
                        ('limit_valid_from', models.DateField(blank=True, null=True, verbose_name='limit valid from')),
                        ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated at')),
                        ('customer', models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name='credit_account', to='customers.customer')),
                    ],
                    options={
                        'db_table': 'trade_creditaccount',
                        'verbose_name': 'credit account',
                        'verbose_name_plural': 'credit accounts',
                        'constraints': [models.CheckConstraint(condition=models.Q(('limit_amount__gte', 0)), name='trade_account_limit_non_negative')],
                    },
                ),
                migrations.CreateModel(
                    name='CreditLimit',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('amount', models.DecimalField(decimal_places=2, max_digits=20, verbose_name='credit limit')),
                        ('term_days', models.PositiveIntegerField(verbose_name='credit term (days)')),
                        ('grade', models.CharField(blank=True, max_length=1, verbose_name='grade')),
                        ('period', models.DateField(blank=True, null=True, verbose_name='grading period')),
                        ('basis', models.JSONField(default=dict, verbose_name='basis')),
                        ('rule_version', models.CharField(max_length=32, verbose_name='rule version')),
                        ('valid_from', models.DateField(verbose_name='valid from')),
                        ('valid_to', models.DateField(blank=True, null=True, verbose_name='valid to')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created at')),
                        ('account', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='limits', to='tradecredit.creditaccount')),
                        ('approved_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'db_table': 'trade_creditlimit',
                        'verbose_name': 'credit limit',
                        'verbose_name_plural': 'credit limits',
                        'ordering': ['-valid_from', '-id'],
                        'constraints': [models.UniqueConstraint(condition=models.Q(('valid_to__isnull', True)), fields=('account',), name='trade_limit_one_current')],
                    },
                ),
                migrations.CreateModel(
                    name='LimitChange',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('status', models.CharField(choices=[('pending', 'Pending approval'), ('approved', 'Approved'), ('rejected', 'Rejected'), ('superseded', 'Superseded')], default='pending', max_length=16, verbose_name='status')),
                        ('current_amount', models.DecimalField(decimal_places=2, max_digits=20, verbose_name='current limit')),
                        ('proposed_amount', models.DecimalField(decimal_places=2, max_digits=20, verbose_name='proposed limit')),
                        ('term_days', models.PositiveIntegerField(verbose_name='credit term (days)')),
                        ('grade', models.CharField(blank=True, max_length=1, verbose_name='grade')),
                        ('period', models.DateField(blank=True, null=True, verbose_name='grading period')),
                        ('basis', models.JSONField(default=dict, verbose_name='basis')),
                        ('requested_at', models.DateTimeField(auto_now_add=True, verbose_name='requested at')),
                        ('decided_at', models.DateTimeField(blank=True, null=True, verbose_name='decided at')),
                        ('decision_note', models.CharField(blank=True, max_length=500, verbose_name='decision note')),
                        ('account', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='changes', to='tradecredit.creditaccount')),
                        ('decided_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('requested_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'db_table': 'trade_limitchange',
                        'verbose_name': 'credit limit change',
                        'verbose_name_plural': 'credit limit changes',
                        'ordering': ['-id'],
                        'constraints': [models.UniqueConstraint(condition=models.Q(('status', 'pending')), fields=('account',), name='trade_limit_change_one_pending')],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
