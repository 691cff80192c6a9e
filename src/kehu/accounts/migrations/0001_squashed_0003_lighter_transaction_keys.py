"""accounts 0001-0003, squashed (docs/migrations.md): a fresh database gets the tables in their final form.

Kept from 0002_txn_id_binary_order: the "C" collation of txn_id on PostgreSQL.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from kehu.core.migration_operations import CreateModels


def txn_id_binary_order(apps, schema_editor):
    """Transactions are ordered by posted_at, then txn_id compared byte by byte (as SQLite and Python compare
    strings). On PostgreSQL the column gets the "C" collation, so that ORDER BY txn_id and txn_id < x agree
    with SQLite whatever the database's default collation is."""
    if schema_editor.connection.vendor == "postgresql":
        # Deferred to the end of the migration, after the indexes Django creates there, as 0002 came after 0001:
        # the column's indexes are rebuilt with it.
        schema_editor.deferred_sql.append('ALTER TABLE accounts_accounttransaction ALTER COLUMN txn_id TYPE '
                                          'varchar(64) COLLATE "C"')


def txn_id_default_order(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute('ALTER TABLE accounts_accounttransaction ALTER COLUMN txn_id TYPE varchar(64) '
                              'COLLATE "default"')


class Migration(migrations.Migration):

    replaces = [
        ('accounts', '0001_initial'),
        ('accounts', '0002_txn_id_binary_order'),
        ('accounts', '0003_lighter_transaction_keys'),
    ]

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ('customers', '0003_search_fts'),
    ]

    operations = [
        CreateModels(
            operations=[
                migrations.CreateModel(
                    name='AccountTransaction',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('txn_id', models.CharField(max_length=64, unique=True, verbose_name='transaction id')),
                        ('customer_id_copy', models.BigIntegerField()),
                        ('tier', models.CharField(max_length=3)),
                        ('posted_at', models.DateTimeField(verbose_name='posted at')),
                        ('local_day', models.DateField(verbose_name='day')),
                        ('local_year', models.PositiveSmallIntegerField()),
                        ('direction', models.CharField(choices=[('in', 'In'), ('out', 'Out')], max_length=3, verbose_name='direction')),
                        ('type', models.CharField(choices=[('inbound_nonbound', 'Inflow from a non-bound account'), ('cash_deposit', 'Cash deposit'), ('consumption_payment', 'Consumption or payment'), ('outbound_nonbound', 'Transfer to a non-bound account'), ('cash_withdrawal', 'Cash withdrawal'), ('bound_in', 'Transfer from the bound account'), ('bound_out', 'Transfer to the bound account'), ('wealth_buy', 'Wealth-product purchase'), ('wealth_redeem', 'Wealth-product redemption'), ('loan_disburse', 'Loan disbursement'), ('loan_repay', 'Loan repayment')], max_length=24, verbose_name='type')),
                        ('amount_fen', models.BigIntegerField(verbose_name='amount (fen)')),
                        ('bucket', models.CharField(blank=True, max_length=3)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('account', models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='transactions', to='accounts.personalaccount')),
                    ],
                    options={
                        'verbose_name': 'account transaction',
                        'verbose_name_plural': 'account transactions',
                        'indexes': [models.Index(fields=['account', 'posted_at', 'txn_id'], name='accounts_txn_account_time'), models.Index(fields=['customer_id_copy', 'tier'], name='accounts_txn_person_tier')],
                        'constraints': [models.CheckConstraint(condition=models.Q(('amount_fen__gt', 0)), name='accounts_txn_amount_positive')],
                    },
                ),
                migrations.CreateModel(
                    name='IngestRun',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('file_name', models.CharField(max_length=255, verbose_name='file name')),
                        ('file_hash', models.CharField(max_length=64, verbose_name='file hash')),
                        ('rows_total', models.PositiveIntegerField(default=0, verbose_name='rows')),
                        ('rows_new', models.PositiveIntegerField(default=0, verbose_name='new')),
                        ('rows_duplicate', models.PositiveIntegerField(default=0, verbose_name='already ingested')),
                        ('rows_rejected', models.PositiveIntegerField(default=0, verbose_name='rejected')),
                        ('breaches', models.PositiveIntegerField(default=0, verbose_name='breaches')),
                        ('tasks_created', models.PositiveIntegerField(default=0, verbose_name='tasks created')),
                        ('error_file', models.CharField(blank=True, max_length=500, verbose_name='error file')),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                    ],
                    options={
                        'verbose_name': 'transaction ingest',
                        'verbose_name_plural': 'transaction ingests',
                    },
                ),
                migrations.CreateModel(
                    name='PersonalAccount',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('account_no', models.CharField(max_length=40, unique=True, verbose_name='account number')),
                        ('tier', models.CharField(choices=[('I', 'Class I'), ('II', 'Class II'), ('III', 'Class III')], max_length=3, verbose_name='tier')),
                        ('opened_on', models.DateField(verbose_name='opened on')),
                        ('channel', models.CharField(choices=[('counter', 'Counter'), ('online', 'Online or mobile banking'), ('direct_bank', 'Direct bank'), ('video_teller', 'Remote video teller'), ('smart_teller', 'Smart teller')], max_length=16, verbose_name='channel')),
                        ('bound_account_no', models.CharField(blank=True, max_length=40, verbose_name='bound account')),
                        ('bound_same_bank', models.BooleanField(blank=True, null=True, verbose_name='bound account at this bank')),
                        ('bound_kind', models.CharField(blank=True, choices=[('class1', 'Class I account'), ('credit_card', 'Credit card')], max_length=16, verbose_name='bound account kind')),
                        ('identity_check', models.CharField(choices=[('face_to_face', 'Face to face'), ('certificate', 'Digital certificate'), ('esignature', 'Electronic signature'), ('five_elements', 'Five-element verification with the bound bank')], max_length=16, verbose_name='identity check')),
                        ('cross_sell_offered', models.BooleanField(default=False, verbose_name='Class II/III suggested')),
                        ('balance_fen', models.BigIntegerField(default=0, verbose_name='balance (fen)')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created at')),
                        ('customer', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='personal_accounts', to='customers.customer', verbose_name='customer')),
                        ('identity_document', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='customers.document', verbose_name='reused identity copy')),
                    ],
                    options={
                        'verbose_name': 'personal account',
                        'verbose_name_plural': 'personal accounts',
                        'indexes': [models.Index(fields=['customer', 'tier'], name='accounts_pe_custome_9c2364_idx')],
                        'constraints': [models.CheckConstraint(condition=models.Q(('tier__in', ['I', 'II', 'III'])), name='accounts_tier_valid')],
                    },
                ),
                migrations.CreateModel(
                    name='Breach',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('rule', models.CharField(max_length=32, verbose_name='rule')),
                        ('local_day', models.DateField(verbose_name='day')),
                        ('txn', models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='breaches', to='accounts.accounttransaction')),
                        ('account', models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='breaches', to='accounts.personalaccount')),
                    ],
                    options={
                        'verbose_name': 'limit breach',
                        'verbose_name_plural': 'limit breaches',
                        'indexes': [models.Index(fields=['account', 'local_day'], name='accounts_breach_account_day')],
                        'constraints': [models.UniqueConstraint(fields=('txn', 'rule'), name='accounts_breach_once')],
                    },
                ),
                migrations.CreateModel(
                    name='RemediationTask',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('trigger_date', models.DateField(verbose_name='trigger date')),
                        ('total_fen', models.BigIntegerField(verbose_name='Class III total at the trigger (fen)')),
                        ('due_date', models.DateField(db_index=True, verbose_name='due date')),
                        ('status', models.CharField(choices=[('open', 'Open'), ('done', 'Done')], default='open', max_length=8, verbose_name='status')),
                        ('id_expires_on', models.DateField(blank=True, null=True, verbose_name='ID valid until')),
                        ('done_at', models.DateTimeField(blank=True, null=True, verbose_name='done at')),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('customer', models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name='class3_remediation', to='customers.customer', verbose_name='customer')),
                        ('done_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('id_document', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='customers.document', verbose_name='ID copy')),
                        ('trigger_txn', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='accounts.accounttransaction', verbose_name='trigger transaction')),
                    ],
                    options={
                        'verbose_name': 'Class III remediation task',
                        'verbose_name_plural': 'Class III remediation tasks',
                        'indexes': [models.Index(fields=['status', 'due_date'], name='accounts_task_status_due')],
                    },
                ),
            ],
        ),
        migrations.RunPython(txn_id_binary_order, txn_id_default_order),
    ]
