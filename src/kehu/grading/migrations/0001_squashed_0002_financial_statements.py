"""grading 0001-0002, squashed (docs/migrations.md): a fresh database gets the tables in their final form."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from kehu.core.migration_operations import CreateModels


class Migration(migrations.Migration):

    replaces = [
        ('grading', '0001_initial'),
        ('grading', '0002_financial_statements'),
    ]

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ('customers', '0003_search_fts'),
    ]

    operations = [
        CreateModels(
            operations=[
                migrations.CreateModel(
                    name='ScorecardPolicy',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('version', models.PositiveIntegerField(unique=True, verbose_name='version')),
                        ('name', models.CharField(max_length=200, verbose_name='name')),
                        ('config', models.JSONField(verbose_name='configuration')),
                        ('status', models.CharField(choices=[('draft', 'Draft'), ('approved', 'Approved'), ('retired', 'Retired')], default='draft', max_length=16, verbose_name='status')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created at')),
                        ('approved_at', models.DateTimeField(blank=True, null=True, verbose_name='approved at')),
                        ('approved_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('created_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'verbose_name': 'scorecard policy',
                        'verbose_name_plural': 'scorecard policies',
                        'ordering': ['-version'],
                        'constraints': [models.CheckConstraint(condition=models.Q(('approved_by__isnull', True), models.Q(('approved_by', models.F('created_by')), _negated=True), _connector='OR'), name='grading_policy_checker_not_maker')],
                    },
                ),
                migrations.CreateModel(
                    name='GradingRun',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('period', models.DateField(unique=True, verbose_name='period')),
                        ('state', models.CharField(choices=[('running', 'Running'), ('closed', 'Closed'), ('reopened', 'Reopened')], default='running', max_length=16, verbose_name='state')),
                        ('next_customer_id', models.BigIntegerField(default=0)),
                        ('last_customer_id', models.BigIntegerField(default=0)),
                        ('customers_graded', models.PositiveIntegerField(default=0, verbose_name='customers graded')),
                        ('started_at', models.DateTimeField(auto_now_add=True, verbose_name='started at')),
                        ('finished_at', models.DateTimeField(blank=True, null=True, verbose_name='finished at')),
                        ('reopen_reason', models.TextField(blank=True, verbose_name='reopen reason')),
                        ('started_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('policy', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='runs', to='grading.scorecardpolicy', verbose_name='policy')),
                    ],
                    options={
                        'verbose_name': 'grading run',
                        'verbose_name_plural': 'grading runs',
                        'ordering': ['-period'],
                    },
                ),
                migrations.CreateModel(
                    name='CustomerEvent',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(choices=[('sued_for_unpaid_goods', 'Sued by another supplier for unpaid goods'), ('disqualifying', 'Disqualifying event')], max_length=32, verbose_name='kind')),
                        ('occurred_on', models.DateField(verbose_name='occurred on')),
                        ('note', models.CharField(blank=True, max_length=500, verbose_name='note')),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('customer', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='grading_events', to='customers.customer', verbose_name='customer')),
                        ('recorded_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'verbose_name': 'customer event',
                        'verbose_name_plural': 'customer events',
                        'indexes': [models.Index(fields=['customer', 'kind', 'occurred_on'], name='grading_cus_custome_42c25a_idx')],
                    },
                ),
                migrations.CreateModel(
                    name='ExitReview',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('period', models.DateField(verbose_name='period')),
                        ('trigger', models.CharField(max_length=32, verbose_name='trigger')),
                        ('outcome', models.CharField(blank=True, max_length=200, verbose_name='outcome')),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('customer', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='exit_reviews', to='customers.customer', verbose_name='customer')),
                    ],
                    options={
                        'verbose_name': 'exit review',
                        'verbose_name_plural': 'exit reviews',
                        'constraints': [models.UniqueConstraint(fields=('customer', 'period'), name='grading_exit_once')],
                    },
                ),
                migrations.CreateModel(
                    name='GradeOverride',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('period', models.DateField(verbose_name='period')),
                        ('org_path', models.CharField(db_index=True, max_length=1000)),
                        ('from_grade', models.CharField(max_length=1, verbose_name='from grade')),
                        ('to_grade', models.CharField(max_length=1, verbose_name='to grade')),
                        ('reason', models.TextField(verbose_name='reason')),
                        ('status', models.CharField(choices=[('pending', 'Pending approval'), ('approved', 'Approved'), ('rejected', 'Rejected')], default='pending', max_length=16, verbose_name='status')),
                        ('requested_at', models.DateTimeField(auto_now_add=True)),
                        ('decided_at', models.DateTimeField(blank=True, null=True)),
                        ('decision_note', models.TextField(blank=True)),
                        ('customer', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='grade_overrides', to='customers.customer', verbose_name='customer')),
                        ('decided_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('requested_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'verbose_name': 'grade override',
                        'verbose_name_plural': 'grade overrides',
                        'ordering': ['-requested_at'],
                        'constraints': [models.CheckConstraint(condition=models.Q(('decided_by__isnull', True), models.Q(('decided_by', models.F('requested_by')), _negated=True), _connector='OR'), name='grading_override_second_person'), models.UniqueConstraint(condition=models.Q(('status__in', ['pending', 'approved'])), fields=('customer', 'period'), name='grading_override_one_open')],
                    },
                ),
                migrations.CreateModel(
                    name='GradeResult',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('period', models.DateField(verbose_name='period')),
                        ('org_path', models.CharField(db_index=True, max_length=1000)),
                        ('policy_version', models.PositiveIntegerField(verbose_name='policy version')),
                        ('raw_volume', models.DecimalField(decimal_places=2, max_digits=20, verbose_name='purchase volume')),
                        ('raw_fulfilment', models.DecimalField(decimal_places=4, max_digits=9, null=True, verbose_name='fulfilment rate')),
                        ('raw_on_time', models.DecimalField(decimal_places=4, max_digits=9, null=True, verbose_name='paid on time')),
                        ('raw_overdue_days', models.IntegerField(verbose_name='longest overdue days')),
                        ('raw_licence_ok', models.BooleanField(verbose_name='licences valid')),
                        ('raw_sued', models.BooleanField(verbose_name='sued for unpaid goods')),
                        ('raw_archive_complete', models.BooleanField(verbose_name='archive complete')),
                        ('raw_disqualified', models.BooleanField(verbose_name='disqualifying event')),
                        ('weight_volume', models.DecimalField(decimal_places=2, max_digits=5)),
                        ('weight_fulfilment', models.DecimalField(decimal_places=2, max_digits=5)),
                        ('weight_payment', models.DecimalField(decimal_places=2, max_digits=5)),
                        ('weight_operating', models.DecimalField(decimal_places=2, max_digits=5)),
                        ('score_volume', models.DecimalField(decimal_places=2, max_digits=5, verbose_name='volume score')),
                        ('score_fulfilment', models.DecimalField(decimal_places=2, max_digits=5, verbose_name='fulfilment score')),
                        ('score_payment', models.DecimalField(decimal_places=2, max_digits=5, verbose_name='payment score')),
                        ('score_operating', models.DecimalField(decimal_places=2, max_digits=5, verbose_name='operating score')),
                        ('total_score', models.DecimalField(decimal_places=2, max_digits=6, verbose_name='total score')),
                        ('computed_grade', models.CharField(max_length=1, verbose_name='grade by score')),
                        ('knockout', models.CharField(blank=True, max_length=64, verbose_name='knock-out applied')),
                        ('cap', models.CharField(blank=True, max_length=1, verbose_name='cap')),
                        ('grade', models.CharField(max_length=1, verbose_name='grade')),
                        ('previous_grade', models.CharField(blank=True, max_length=1, verbose_name='last month')),
                        ('change', models.IntegerField(null=True, verbose_name='change')),
                        ('overridden', models.BooleanField(default=False, verbose_name='overridden')),
                        ('customer', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='grade_results', to='customers.customer', verbose_name='customer')),
                        ('raw_current_ratio', models.DecimalField(decimal_places=4, max_digits=12, null=True, verbose_name='current ratio')),
                        ('raw_debt_ratio', models.DecimalField(decimal_places=4, max_digits=12, null=True, verbose_name='debt ratio')),
                        ('raw_overdue_others', models.DecimalField(decimal_places=2, max_digits=20, null=True, verbose_name='overdue to other creditors')),
                        ('score_financial', models.DecimalField(decimal_places=2, default=0, max_digits=5, verbose_name='financial score')),
                        ('weight_financial', models.DecimalField(decimal_places=2, default=0, max_digits=5)),
                    ],
                    options={
                        'verbose_name': 'grade result',
                        'verbose_name_plural': 'grade results',
                        'ordering': ['period', 'customer_id'],
                        'indexes': [models.Index(fields=['period', 'grade'], name='grading_gra_period_ac490b_idx')],
                        'constraints': [models.UniqueConstraint(fields=('period', 'customer'), name='grading_result_one_per_period'), models.CheckConstraint(condition=models.Q(('score_volume__gte', 0), ('score_volume__lte', models.F('weight_volume'))), name='grading_volume_within_weight'), models.CheckConstraint(condition=models.Q(('score_fulfilment__gte', 0), ('score_fulfilment__lte', models.F('weight_fulfilment'))), name='grading_fulfilment_within_weight'), models.CheckConstraint(condition=models.Q(('score_payment__gte', 0), ('score_payment__lte', models.F('weight_payment'))), name='grading_payment_within_weight'), models.CheckConstraint(condition=models.Q(('score_operating__gte', 0), ('score_operating__lte', models.F('weight_operating'))), name='grading_operating_within_weight'), models.CheckConstraint(condition=models.Q(('grade__in', ['A', 'B', 'C', 'D', 'E'])), name='grading_grade_letter'), models.CheckConstraint(condition=models.Q(('score_financial__gte', 0), ('score_financial__lte', models.F('weight_financial'))), name='grading_financial_within_weight')],
                    },
                ),
                migrations.CreateModel(
                    name='FinancialStatement',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('year', models.PositiveIntegerField(verbose_name='year')),
                        ('current_ratio', models.DecimalField(decimal_places=4, max_digits=12, verbose_name='current ratio')),
                        ('debt_ratio', models.DecimalField(decimal_places=4, max_digits=12, verbose_name='debt ratio')),
                        ('overdue_to_others', models.DecimalField(decimal_places=2, max_digits=20, verbose_name='overdue to other creditors')),
                        ('recorded_at', models.DateTimeField(auto_now=True, verbose_name='recorded at')),
                        ('customer', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='financial_statements', to='customers.customer', verbose_name='customer')),
                        ('recorded_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'verbose_name': 'financial statement',
                        'verbose_name_plural': 'financial statements',
                        'ordering': ['customer_id', '-year'],
                        'constraints': [models.UniqueConstraint(fields=('customer', 'year'), name='grading_statement_one_per_year')],
                    },
                ),
            ],
        ),
    ]
