"""credit 0001-0005, squashed (docs/migrations.md): a fresh database gets the tables in their final form.

CapitalBase's table is made by exposure 0001; credit takes the model over in the migration
state only, as 0004_capital_base did. Not carried over: 0004_use_idempotency_key's RunPython, which copied the
idempotency keys of earlier reservations onto their uses; a database built by this migration has none.
"""

import django.db.models.deletion
import django.db.models.expressions
from django.conf import settings
from django.db import migrations, models

from kehu.core.migration_operations import CreateModels


class Migration(migrations.Migration):

    replaces = [
        ('credit', '0001_initial'),
        ('credit', '0002_line_change'),
        ('credit', '0003_line_expiry_warning'),
        ('credit', '0004_use_idempotency_key'),
        ('credit', '0004_capital_base'),
        ('credit', '0005_merge_0004_capital_base_0004_use_idempotency_key'),
    ]

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ('customers', '0004_customer_pi_restricted'),
        ('exposure', '0001_initial'),
    ]

    operations = [
        CreateModels(
            operations=[
                migrations.CreateModel(
                    name='CreditLine',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(choices=[('customer', 'Customer line'), ('group', 'Group line')], default='customer', max_length=16, verbose_name='kind')),
                        ('line_type', models.CharField(choices=[('comprehensive', 'Maximum comprehensive line'), ('specific', 'Specific (single-product) line')], default='comprehensive', max_length=16, verbose_name='line type')),
                        ('org_path', models.CharField(db_index=True, editable=False, max_length=1000)),
                        ('status', models.CharField(choices=[('in_approval', 'In approval'), ('active', 'Active'), ('frozen', 'Frozen'), ('expired', 'Expired'), ('renewal_pending', 'Renewal pending'), ('rejected', 'Rejected'), ('closed', 'Closed (superseded by its renewal)'), ('exited', 'Exited')], db_index=True, default='in_approval', max_length=16, verbose_name='status')),
                        ('currency', models.CharField(default='CNY', max_length=3, verbose_name='currency')),
                        ('line_amount', models.DecimalField(decimal_places=2, max_digits=20, verbose_name='line')),
                        ('requested_amount', models.DecimalField(decimal_places=2, max_digits=20, verbose_name='requested amount')),
                        ('proposed_amount', models.DecimalField(blank=True, decimal_places=2, max_digits=20, null=True, verbose_name='formula proposal')),
                        ('proposal', models.JSONField(blank=True, null=True, verbose_name='formula working')),
                        ('temp_amount', models.DecimalField(decimal_places=2, default=0, max_digits=20, verbose_name='temporary line')),
                        ('temp_valid_to', models.DateField(blank=True, null=True, verbose_name='temporary line valid to')),
                        ('valid_from', models.DateField(verbose_name='valid from')),
                        ('valid_to', models.DateField(verbose_name='valid to')),
                        ('collateral_type', models.CharField(blank=True, max_length=32, verbose_name='collateral')),
                        ('mortgage_share_pct', models.DecimalField(decimal_places=2, default=0, max_digits=5, verbose_name='share backed by mortgage (%)')),
                        ('rating', models.CharField(blank=True, max_length=3, verbose_name='rating at request')),
                        ('required_level', models.PositiveSmallIntegerField(blank=True, null=True, verbose_name='approval level')),
                        ('routed_org_path', models.CharField(blank=True, db_index=True, max_length=1000, verbose_name='routed to')),
                        ('is_committed', models.BooleanField(default=False, editable=False, verbose_name='committed to the customer')),
                        ('outstanding_amount', models.DecimalField(decimal_places=2, default=0, max_digits=20, verbose_name='outstanding')),
                        ('reserved_amount', models.DecimalField(decimal_places=2, default=0, max_digits=20, verbose_name='reserved')),
                        ('exposure_amount', models.DecimalField(decimal_places=2, default=0, max_digits=20, verbose_name='net exposure')),
                        ('decided_at', models.DateTimeField(blank=True, null=True, verbose_name='decided at')),
                        ('decision_note', models.CharField(blank=True, max_length=500, verbose_name='decision note')),
                        ('version', models.PositiveIntegerField(default=1)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('approver', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('customer', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='credit_lines', to='customers.customer')),
                        ('group', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='credit_lines', to='customers.customergroup')),
                        ('maker', models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('renews', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='renewals', to='credit.creditline')),
                        ('expiry_warned_on', models.DateField(blank=True, null=True, verbose_name='renewal warning given on')),
                    ],
                    options={
                        'verbose_name': 'credit line',
                        'verbose_name_plural': 'credit lines',
                        'ordering': ['-id'],
                        'constraints': [models.CheckConstraint(condition=models.Q(('outstanding_amount__gte', 0), ('reserved_amount__gte', 0), ('exposure_amount__gte', 0), ('temp_amount__gte', 0), ('line_amount__gte', 0)), name='credit_line_counters_not_negative'), models.CheckConstraint(condition=models.Q(('outstanding_amount__lte', django.db.models.expressions.CombinedExpression(django.db.models.expressions.CombinedExpression(models.F('line_amount'), '+', models.F('temp_amount')), '-', models.F('reserved_amount')))), name='credit_line_used_within_line'), models.CheckConstraint(condition=models.Q(models.Q(('kind', 'customer'), ('customer__isnull', False), ('group__isnull', True)), models.Q(('kind', 'group'), ('group__isnull', False), ('customer__isnull', True)), _connector='OR'), name='credit_line_owner_matches_kind'), models.CheckConstraint(condition=models.Q(('valid_to__gte', models.F('valid_from'))), name='credit_line_valid_range')],
                    },
                ),
                migrations.CreateModel(
                    name='CreditUse',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('product', models.CharField(choices=[('loan', 'Loans'), ('trade_finance', 'Trade finance (packing loans, import/export bills)'), ('discount', 'Discounting'), ('acceptance', 'Bank acceptances'), ('letter_of_credit', 'Letters of credit'), ('letter_of_guarantee', 'Letters of guarantee'), ('other', 'Other credit')], max_length=32, verbose_name='product')),
                        ('reference', models.CharField(blank=True, max_length=64, verbose_name='transaction approval reference')),
                        ('original_amount', models.DecimalField(decimal_places=2, max_digits=20, verbose_name='amount requested')),
                        ('original_currency', models.CharField(max_length=3, verbose_name='currency requested')),
                        ('fx_rate', models.DecimalField(decimal_places=8, default=1, max_digits=18, verbose_name='exchange rate')),
                        ('amount', models.DecimalField(decimal_places=2, max_digits=20, verbose_name='amount in line currency')),
                        ('reserved_amount', models.DecimalField(decimal_places=2, default=0, max_digits=20, verbose_name='reserved')),
                        ('outstanding_amount', models.DecimalField(decimal_places=2, default=0, max_digits=20, verbose_name='outstanding')),
                        ('margin_amount', models.DecimalField(decimal_places=2, default=0, max_digits=20, verbose_name='margin deposit')),
                        ('low_risk_collateral_amount', models.DecimalField(decimal_places=2, default=0, max_digits=20, verbose_name='eligible low-risk collateral after haircut')),
                        ('exposure_amount', models.DecimalField(decimal_places=2, default=0, max_digits=20, verbose_name='net exposure')),
                        ('classification', models.CharField(choices=[('normal', 'Normal'), ('special_mention', 'Special mention'), ('substandard', 'Substandard'), ('doubtful', 'Doubtful'), ('loss', 'Loss')], default='normal', max_length=16, verbose_name='five-category classification')),
                        ('status', models.CharField(choices=[('reserved', 'Reserved'), ('posted', 'Posted'), ('settled', 'Settled')], db_index=True, default='reserved', max_length=16, verbose_name='status')),
                        ('reserved_until', models.DateTimeField(verbose_name='reservation expires at')),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('created_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('customer', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='credit_uses', to='customers.customer')),
                        ('group_line', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='group_uses', to='credit.creditline')),
                        ('line', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='uses', to='credit.creditline')),
                        ('idempotency_key', models.CharField(blank=True, default='', max_length=100, verbose_name='idempotency key')),
                        ('request_fingerprint', models.CharField(blank=True, default='', editable=False, max_length=64)),
                    ],
                    options={
                        'verbose_name': 'credit use',
                        'verbose_name_plural': 'credit uses',
                        'ordering': ['-id'],
                        'indexes': [models.Index(fields=['status', 'reserved_until'], name='credit_cred_status_67bf45_idx')],
                        'constraints': [models.CheckConstraint(condition=models.Q(('reserved_amount__gte', 0), ('outstanding_amount__gte', 0), ('margin_amount__gte', 0), ('low_risk_collateral_amount__gte', 0), ('exposure_amount__gte', 0)), name='credit_use_amounts_not_negative'), models.CheckConstraint(condition=models.Q(('outstanding_amount__lte', django.db.models.expressions.CombinedExpression(models.F('amount'), '-', models.F('reserved_amount')))), name='credit_use_within_amount'), models.UniqueConstraint(condition=models.Q(('idempotency_key', ''), _negated=True), fields=('idempotency_key',), name='credit_use_one_per_idempotency_key')],
                    },
                ),
                migrations.CreateModel(
                    name='CustomerRating',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('rating', models.CharField(choices=[('AAA', 'AAA'), ('AA', 'AA'), ('A', 'A'), ('BBB', 'BBB'), ('BB', 'BB'), ('B', 'B'), ('CCC', 'CCC'), ('CC', 'CC'), ('C', 'C')], max_length=3, verbose_name='rating')),
                        ('rated_on', models.DateField(verbose_name='rated on')),
                        ('note', models.CharField(blank=True, max_length=500, verbose_name='note')),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('customer', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='bank_ratings', to='customers.customer')),
                        ('rated_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'verbose_name': 'customer rating',
                        'verbose_name_plural': 'customer ratings',
                        'ordering': ['-rated_on', '-id'],
                    },
                ),
                migrations.CreateModel(
                    name='IdempotencyRecord',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('key', models.CharField(max_length=100, unique=True)),
                        ('operation', models.CharField(max_length=32)),
                        ('fingerprint', models.CharField(max_length=64)),
                        ('result', models.JSONField()),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('actor', models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'verbose_name': 'idempotency key',
                        'verbose_name_plural': 'idempotency keys',
                    },
                ),
                migrations.CreateModel(
                    name='LineMovement',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(choices=[('reserve', 'Reserved'), ('post', 'Posted'), ('release', 'Released'), ('repay', 'Repaid'), ('expire', 'Reservation expired'), ('line_change', 'Line changed'), ('transfer', 'Carried over to the renewal'), ('refused', 'Refused')], max_length=16, verbose_name='kind')),
                        ('product', models.CharField(blank=True, max_length=32, verbose_name='product')),
                        ('amount', models.DecimalField(decimal_places=2, max_digits=20, verbose_name='amount')),
                        ('outstanding_after', models.DecimalField(decimal_places=2, max_digits=20, verbose_name='outstanding after')),
                        ('reserved_after', models.DecimalField(decimal_places=2, max_digits=20, verbose_name='reserved after')),
                        ('reason_code', models.CharField(blank=True, max_length=64, verbose_name='reason')),
                        ('reason', models.CharField(blank=True, max_length=500, verbose_name='reason text')),
                        ('at', models.DateTimeField(auto_now_add=True, db_index=True, verbose_name='time')),
                        ('actor', models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('line', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='movements', to='credit.creditline')),
                        ('use', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='movements', to='credit.credituse')),
                    ],
                    options={
                        'verbose_name': 'line movement',
                        'verbose_name_plural': 'line movements',
                        'ordering': ['-id'],
                        'indexes': [models.Index(fields=['line', '-id'], name='credit_line_line_id_0d6697_idx')],
                    },
                ),
                migrations.CreateModel(
                    name='SubLimit',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('product', models.CharField(choices=[('loan', 'Loans'), ('trade_finance', 'Trade finance (packing loans, import/export bills)'), ('discount', 'Discounting'), ('acceptance', 'Bank acceptances'), ('letter_of_credit', 'Letters of credit'), ('letter_of_guarantee', 'Letters of guarantee'), ('other', 'Other credit')], max_length=32, verbose_name='product')),
                        ('limit_amount', models.DecimalField(decimal_places=2, max_digits=20, verbose_name='sub-limit')),
                        ('outstanding_amount', models.DecimalField(decimal_places=2, default=0, max_digits=20, verbose_name='outstanding')),
                        ('reserved_amount', models.DecimalField(decimal_places=2, default=0, max_digits=20, verbose_name='reserved')),
                        ('line', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='sub_limits', to='credit.creditline')),
                    ],
                    options={
                        'verbose_name': 'sub-limit',
                        'verbose_name_plural': 'sub-limits',
                        'ordering': ['line_id', 'product'],
                        'constraints': [models.UniqueConstraint(fields=('line', 'product'), name='sub_limit_one_per_product'), models.CheckConstraint(condition=models.Q(('outstanding_amount__gte', 0), ('reserved_amount__gte', 0), ('limit_amount__gte', 0)), name='sub_limit_counters_not_negative'), models.CheckConstraint(condition=models.Q(('outstanding_amount__lte', django.db.models.expressions.CombinedExpression(models.F('limit_amount'), '-', models.F('reserved_amount')))), name='sub_limit_used_within_limit')],
                    },
                ),
                migrations.CreateModel(
                    name='LineChange',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('status', models.CharField(choices=[('pending', 'waiting for approval'), ('approved', 'approved'), ('rejected', 'rejected')], default='pending', max_length=16, verbose_name='status')),
                        ('line_amount', models.DecimalField(decimal_places=2, max_digits=20, verbose_name='line')),
                        ('temp_amount', models.DecimalField(decimal_places=2, max_digits=20, verbose_name='temporary line')),
                        ('temp_valid_to', models.DateField(blank=True, null=True, verbose_name='temporary line valid to')),
                        ('sub_limits', models.JSONField(default=dict, verbose_name='sub-limits')),
                        ('reason', models.CharField(max_length=500, verbose_name='reason')),
                        ('requested_at', models.DateTimeField(auto_now_add=True, verbose_name='requested at')),
                        ('decided_at', models.DateTimeField(blank=True, null=True, verbose_name='decided at')),
                        ('decision_note', models.CharField(blank=True, max_length=500, verbose_name='decision note')),
                        ('decided_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('line', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='changes', to='credit.creditline')),
                        ('requested_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'verbose_name': 'line change request',
                        'verbose_name_plural': 'line change requests',
                        'ordering': ['-id'],
                        'constraints': [models.UniqueConstraint(condition=models.Q(('status', 'pending')), fields=('line',), name='line_change_one_pending')],
                    },
                ),
            ],
        ),
        # CapitalBase; exposure 0001 made its table (db_table keeps the name).
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='CapitalBase',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('as_of', models.DateField(unique=True, verbose_name='as of')),
                        ('capital_amount', models.DecimalField(decimal_places=2, max_digits=20, verbose_name='capital')),
                        ('net_capital_amount', models.DecimalField(decimal_places=2, max_digits=20, verbose_name='net capital')),
                        ('tier1_net_amount', models.DecimalField(decimal_places=2, max_digits=20, verbose_name='tier 1 net capital')),
                        ('currency', models.CharField(default='CNY', max_length=3, verbose_name='currency')),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('entered_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'verbose_name': 'capital base',
                        'verbose_name_plural': 'capital bases',
                        'ordering': ['-as_of'],
                        'db_table': 'exposure_capitalbase',
                    },
                ),
            ],
        ),
    ]
