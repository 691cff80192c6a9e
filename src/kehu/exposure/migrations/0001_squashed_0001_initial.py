"""exposure 0001_initial, as one change of the migration state (docs/migrations.md): the same tables, created
through CreateModels, which renders the migration state once instead of once per model. CapitalBase's table
and model are made here as 0001 made them; credit 0004_capital_base takes the model over and
0002_capital_base_to_credit (which needs it) lets go of it, both as they are.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from kehu.core.migration_operations import CreateModels


class Migration(migrations.Migration):

    replaces = [
        ('exposure', '0001_initial'),
    ]

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ('customers', '0001_initial'),
    ]

    operations = [
        CreateModels(
            operations=[
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
                    },
                ),
                migrations.CreateModel(
                    name='LargeCreditReport',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('period', models.CharField(db_index=True, max_length=7, verbose_name='period')),
                        ('status', models.CharField(choices=[('draft', 'Draft'), ('submitted', 'Submitted for sign-off'), ('signed', 'Signed off'), ('returned', 'Returned to the maker')], default='draft', max_length=16, verbose_name='status')),
                        ('threshold_amount', models.DecimalField(decimal_places=2, max_digits=20, verbose_name='reporting threshold')),
                        ('org_code', models.CharField(blank=True, max_length=32, verbose_name='reporting institution code')),
                        ('preparer', models.CharField(blank=True, max_length=50, verbose_name='preparer')),
                        ('phone', models.CharField(blank=True, max_length=30, verbose_name='phone')),
                        ('reviewer', models.CharField(blank=True, max_length=50, verbose_name='reviewer')),
                        ('problems', models.JSONField(default=list, verbose_name='validation problems')),
                        ('submitted_at', models.DateTimeField(blank=True, null=True)),
                        ('signed_at', models.DateTimeField(blank=True, null=True)),
                        ('note', models.CharField(blank=True, max_length=500, verbose_name='note')),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('checker', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('maker', models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('freeze', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='reports', to='exposure.statfreeze')),
                    ],
                    options={
                        'verbose_name': 'large-credit statistics table',
                        'verbose_name_plural': 'large-credit statistics tables',
                        'ordering': ['-period', '-id'],
                    },
                ),
                migrations.CreateModel(
                    name='LargeCreditRow',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('org_path', models.CharField(db_index=True, max_length=1000)),
                        ('uscc', models.CharField(blank=True, max_length=18, verbose_name='unified social credit code')),
                        ('name', models.CharField(max_length=200, verbose_name='name')),
                        ('group_code', models.CharField(blank=True, max_length=32, verbose_name='group')),
                        ('line_amount', models.DecimalField(decimal_places=2, max_digits=20, verbose_name='maximum comprehensive line')),
                        ('outstanding_amount', models.DecimalField(decimal_places=2, max_digits=20, verbose_name='outstanding')),
                        ('on_balance_amount', models.DecimalField(decimal_places=2, max_digits=20, verbose_name='on balance sheet')),
                        ('off_balance_amount', models.DecimalField(decimal_places=2, max_digits=20, verbose_name='off balance sheet')),
                        ('exposure_amount', models.DecimalField(decimal_places=2, max_digits=20, verbose_name='net exposure')),
                        ('basis', models.CharField(max_length=32, verbose_name='basis')),
                        ('carried_forward', models.BooleanField(default=False, verbose_name='carried forward')),
                        ('customer', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='customers.customer')),
                        ('report', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='rows', to='exposure.largecreditreport')),
                    ],
                    options={
                        'verbose_name': 'large-credit row',
                        'verbose_name_plural': 'large-credit rows',
                        'ordering': ['-line_amount', 'customer_id'],
                    },
                ),
                migrations.CreateModel(
                    name='StatFreeze',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('period', models.CharField(max_length=7, unique=True, verbose_name='period')),
                        ('frozen_at', models.DateTimeField(auto_now_add=True, verbose_name='frozen at')),
                        ('customers', models.PositiveIntegerField(default=0, verbose_name='customers')),
                        ('frozen_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'verbose_name': 'statistics freeze',
                        'verbose_name_plural': 'statistics freezes',
                        'ordering': ['-period'],
                    },
                ),
                migrations.CreateModel(
                    name='ConcentrationAlert',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('limit_code', models.CharField(max_length=64, verbose_name='limit')),
                        ('org_path', models.CharField(db_index=True, max_length=1000)),
                        ('amount', models.DecimalField(decimal_places=2, max_digits=20, verbose_name='amount')),
                        ('base_amount', models.DecimalField(decimal_places=2, max_digits=20, verbose_name='capital base')),
                        ('share_pct', models.DecimalField(decimal_places=2, max_digits=9, verbose_name='share of the base (%)')),
                        ('cap_pct', models.DecimalField(decimal_places=2, max_digits=6, verbose_name='cap (%)')),
                        ('level_pct', models.DecimalField(decimal_places=2, max_digits=6, verbose_name='alert level (% of the cap)')),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('customer', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='customers.customer')),
                        ('group', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='customers.customergroup')),
                        ('freeze', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='alerts', to='exposure.statfreeze')),
                    ],
                    options={
                        'verbose_name': 'concentration alert',
                        'verbose_name_plural': 'concentration alerts',
                        'ordering': ['-level_pct', '-share_pct'],
                    },
                ),
                migrations.CreateModel(
                    name='FrozenPosition',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('org_path', models.CharField(db_index=True, max_length=1000)),
                        ('product', models.CharField(blank=True, max_length=32, verbose_name='product')),
                        ('on_balance', models.BooleanField(null=True, verbose_name='on balance sheet')),
                        ('line_amount', models.DecimalField(decimal_places=2, max_digits=20, verbose_name='line')),
                        ('outstanding_amount', models.DecimalField(decimal_places=2, max_digits=20, verbose_name='outstanding')),
                        ('exposure_amount', models.DecimalField(decimal_places=2, max_digits=20, verbose_name='net exposure')),
                        ('non_exposure_amount', models.DecimalField(decimal_places=2, default=0, max_digits=20, verbose_name='non-exposure part')),
                        ('classification', models.JSONField(default=dict, verbose_name='five-category classification')),
                        ('report_line_amount', models.DecimalField(blank=True, decimal_places=2, max_digits=20, null=True, verbose_name='reported line')),
                        ('report_basis', models.CharField(blank=True, max_length=32, verbose_name='basis')),
                        ('carried_forward', models.BooleanField(default=False, verbose_name='carried forward')),
                        ('customer', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='customers.customer')),
                        ('group', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='customers.customergroup')),
                        ('freeze', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='positions', to='exposure.statfreeze')),
                    ],
                    options={
                        'verbose_name': 'frozen position',
                        'verbose_name_plural': 'frozen positions',
                        'indexes': [models.Index(fields=['freeze', 'customer', 'product'], name='exposure_fr_freeze__0d1200_idx')],
                    },
                ),
            ],
        ),
    ]
