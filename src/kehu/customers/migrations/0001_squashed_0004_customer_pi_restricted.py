"""customers 0001-0004, squashed (docs/migrations.md): a fresh database gets the tables in their final form,
pi_restricted included (0004 added that column by hand on SQLite only so as not to rebuild the table under the
full-text-search triggers; here the triggers come after the table).

Kept: the search indexes of 0002_search_indexes (PostgreSQL) and the FTS5 table and triggers of 0003_search_fts
(SQLite), in the same words (docs/search.md).
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import kehu.core.fields
from kehu.core.migration_operations import CreateModels


TABLE = "customers_customer"
FTS = "customers_customer_fts"

PG_SEARCH_INDEXES = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    f"CREATE INDEX IF NOT EXISTS customers_name_trgm ON {TABLE} USING gin (name gin_trgm_ops)",
    f"CREATE INDEX IF NOT EXISTS customers_pinyin_trgm ON {TABLE} USING gin (name_pinyin gin_trgm_ops)",
    f"CREATE INDEX IF NOT EXISTS customers_initials_trgm ON {TABLE} USING gin (name_initials gin_trgm_ops)",
    f"CREATE INDEX IF NOT EXISTS customers_uscc_prefix ON {TABLE} (uscc text_pattern_ops)",
]
PG_SEARCH_INDEXES_DROP = [
    "DROP INDEX IF EXISTS customers_name_trgm",
    "DROP INDEX IF EXISTS customers_pinyin_trgm",
    "DROP INDEX IF EXISTS customers_initials_trgm",
    "DROP INDEX IF EXISTS customers_uscc_prefix",
]

SQLITE_FTS = [
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS} USING fts5("
    f"name, name_pinyin, name_initials, content='{TABLE}', content_rowid='id', tokenize='trigram')",
    f"CREATE TRIGGER IF NOT EXISTS {FTS}_ai AFTER INSERT ON {TABLE} BEGIN "
    f"INSERT INTO {FTS}(rowid, name, name_pinyin, name_initials) "
    f"VALUES (new.id, new.name, new.name_pinyin, new.name_initials); END",
    f"CREATE TRIGGER IF NOT EXISTS {FTS}_ad AFTER DELETE ON {TABLE} BEGIN "
    f"INSERT INTO {FTS}({FTS}, rowid, name, name_pinyin, name_initials) "
    f"VALUES ('delete', old.id, old.name, old.name_pinyin, old.name_initials); END",
    # Only a change of an indexed column touches the index; status or manager changes cost nothing.
    f"CREATE TRIGGER IF NOT EXISTS {FTS}_au AFTER UPDATE OF name, name_pinyin, name_initials ON {TABLE} BEGIN "
    f"INSERT INTO {FTS}({FTS}, rowid, name, name_pinyin, name_initials) "
    f"VALUES ('delete', old.id, old.name, old.name_pinyin, old.name_initials); "
    f"INSERT INTO {FTS}(rowid, name, name_pinyin, name_initials) "
    f"VALUES (new.id, new.name, new.name_pinyin, new.name_initials); END",
    # As 0003 did (it indexed the customers already there): the index starts out in the same state.
    f"INSERT INTO {FTS}({FTS}) VALUES ('rebuild')",
]
SQLITE_FTS_DROP = [
    f"DROP TRIGGER IF EXISTS {FTS}_ai",
    f"DROP TRIGGER IF EXISTS {FTS}_ad",
    f"DROP TRIGGER IF EXISTS {FTS}_au",
    f"DROP TABLE IF EXISTS {FTS}",
]


def search_indexes(apps, schema_editor):
    # Deferred to the end of the migration, after the indexes Django creates there for the table itself, as 0002
    # and 0003 came after 0001: between two equally good indexes (uscc's varchar_pattern_ops and
    # customers_uscc_prefix) PostgreSQL's planner goes by their order (tests/bulk/test_search_indexes.py).
    statements = {"postgresql": PG_SEARCH_INDEXES, "sqlite": SQLITE_FTS}.get(schema_editor.connection.vendor, [])
    schema_editor.deferred_sql.extend(statements)


def drop_search_indexes(apps, schema_editor):
    statements = {"postgresql": PG_SEARCH_INDEXES_DROP, "sqlite": SQLITE_FTS_DROP}.get(schema_editor.connection.vendor,
                                                                                      [])
    for sql in statements:
        schema_editor.execute(sql)


class Migration(migrations.Migration):

    replaces = [
        ('customers', '0001_initial'),
        ('customers', '0002_search_indexes'),
        ('customers', '0003_search_fts'),
        ('customers', '0004_customer_pi_restricted'),
    ]

    dependencies = [
        ('core', '0001_initial'),
    ]

    operations = [
        CreateModels(
            operations=[
                migrations.CreateModel(
                    name='AdmissionApplication',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('status', models.CharField(choices=[('draft', 'Draft'), ('submitted', 'Submitted'), ('sales_checked', 'Sales pre-check passed'), ('office_reviewed', 'Office review passed'), ('opinions_complete', 'Department opinions complete'), ('qualified', 'Qualified'), ('rejected', 'Rejected'), ('returned', 'Returned for correction')], db_index=True, default='draft', max_length=20, verbose_name='status')),
                        ('round', models.PositiveIntegerField(default=0, verbose_name='round')),
                        ('questionnaire', models.JSONField(default=dict, verbose_name='questionnaire')),
                        ('expected_annual_volume_amount', models.DecimalField(blank=True, decimal_places=2, max_digits=20, null=True, verbose_name='expected annual volume')),
                        ('volume_justification', models.TextField(blank=True, verbose_name='volume justification')),
                        ('scope_attested', models.BooleanField(default=False, verbose_name='business within licensed scope')),
                        ('submitted_at', models.DateTimeField(blank=True, null=True)),
                        ('decided_at', models.DateTimeField(blank=True, null=True)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('updated_at', models.DateTimeField(auto_now=True)),
                        ('created_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('submitted_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('customer', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='applications', to='customers.customer')),
                    ],
                    options={
                        'verbose_name': 'admission application',
                        'verbose_name_plural': 'admission applications',
                        'ordering': ['-id'],
                        'constraints': [models.UniqueConstraint(condition=models.Q(('status__in', ['qualified', 'rejected']), _negated=True), fields=('customer',), name='one_open_application_per_customer')],
                    },
                ),
                migrations.CreateModel(
                    name='AdmissionStatusChange',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('from_status', models.CharField(max_length=20)),
                        ('to_status', models.CharField(max_length=20)),
                        ('note', models.TextField(blank=True)),
                        ('ts', models.DateTimeField(auto_now_add=True)),
                        ('actor', models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('application', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='history', to='customers.admissionapplication')),
                    ],
                    options={
                        'ordering': ['id'],
                    },
                ),
                migrations.CreateModel(
                    name='Customer',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(choices=[('enterprise', 'Enterprise'), ('individual', 'Individual'), ('financial_institution', 'Financial institution'), ('scattered', 'Scattered buyer')], max_length=32, verbose_name='kind')),
                        ('name', models.CharField(db_index=True, max_length=200, verbose_name='name')),
                        ('name_encrypted', kehu.core.fields.EncryptedTextField(blank=True, default='', verbose_name='name (encrypted)')),
                        ('name_pinyin', models.CharField(blank=True, db_index=True, max_length=600, verbose_name='name in pinyin')),
                        ('name_initials', models.CharField(blank=True, db_index=True, max_length=200, verbose_name='pinyin initials')),
                        ('uscc', models.CharField(blank=True, max_length=18, null=True, unique=True, verbose_name='unified social credit code')),
                        ('legal_representative', models.CharField(blank=True, max_length=100, verbose_name='legal representative')),
                        ('registered_capital_amount', models.DecimalField(blank=True, decimal_places=2, max_digits=20, null=True, verbose_name='registered capital')),
                        ('currency', models.CharField(default='CNY', max_length=3, verbose_name='currency')),
                        ('industry', models.CharField(blank=True, db_index=True, max_length=100, verbose_name='industry')),
                        ('region', models.CharField(blank=True, db_index=True, max_length=100, verbose_name='region')),
                        ('business_scope', models.TextField(blank=True, verbose_name='business scope')),
                        ('address', kehu.core.fields.EncryptedTextField(blank=True, default='', verbose_name='address')),
                        ('id_number', kehu.core.fields.EncryptedTextField(blank=True, default='', verbose_name='resident ID number')),
                        ('id_number_hash', models.CharField(blank=True, max_length=64, null=True, unique=True)),
                        ('phone', kehu.core.fields.EncryptedTextField(blank=True, default='', verbose_name='phone')),
                        ('occupation', models.CharField(blank=True, max_length=100, verbose_name='occupation')),
                        ('email', kehu.core.fields.EncryptedTextField(blank=True, default='', verbose_name='e-mail')),
                        ('org_path', models.CharField(db_index=True, editable=False, max_length=1000)),
                        ('admission_status', models.CharField(choices=[('prospect', 'Prospect'), ('in_review', 'In admission review'), ('qualified', 'Qualified'), ('active', 'Active'), ('rejected', 'Rejected'), ('terminated', 'Terminated'), ('exited', 'Exited')], db_index=True, default='prospect', max_length=16, verbose_name='admission status')),
                        ('grade', models.CharField(blank=True, db_index=True, max_length=1, verbose_name='grade')),
                        ('termination_reason', models.CharField(blank=True, max_length=32, verbose_name='termination reason')),
                        ('version', models.PositiveIntegerField(default=1)),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created at')),
                        ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated at')),
                        ('created_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('manager', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='managed_customers', to=settings.AUTH_USER_MODEL, verbose_name='customer manager')),
                        ('org_unit', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='core.orgunit', verbose_name='org unit')),
                        ('pi_restricted', models.BooleanField(db_default=False, default=False, verbose_name='restricted (legal hold)')),
                    ],
                    options={
                        'verbose_name': 'customer',
                        'verbose_name_plural': 'customers',
                        'ordering': ['-id'],
                        'indexes': [models.Index(fields=['org_path', 'admission_status'], name='customers_c_org_pat_18d3ef_idx')],
                        'constraints': [models.CheckConstraint(condition=models.Q(models.Q(('kind__in', ['enterprise', 'financial_institution']), _negated=True), ('uscc__isnull', False), _connector='OR'), name='customer_entity_has_uscc'), models.CheckConstraint(condition=models.Q(('registered_capital_amount__isnull', True), ('registered_capital_amount__gte', 0), _connector='OR'), name='customer_capital_not_negative')],
                    },
                ),
                migrations.CreateModel(
                    name='CooperationAgreement',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('number', models.CharField(max_length=64, verbose_name='agreement number')),
                        ('signed_on', models.DateField(verbose_name='signed on')),
                        ('valid_to', models.DateField(blank=True, null=True, verbose_name='valid to')),
                        ('status', models.CharField(choices=[('active', 'In force'), ('terminated', 'Terminated')], default='active', max_length=16, verbose_name='status')),
                        ('terminated_at', models.DateTimeField(blank=True, null=True)),
                        ('termination_reason', models.CharField(blank=True, max_length=200)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('customer', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='agreements', to='customers.customer')),
                    ],
                    options={
                        'verbose_name': 'cooperation agreement',
                        'verbose_name_plural': 'cooperation agreements',
                    },
                ),
                migrations.CreateModel(
                    name='Contact',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('name', models.CharField(max_length=100, verbose_name='name')),
                        ('title', models.CharField(blank=True, max_length=100, verbose_name='title')),
                        ('phone', kehu.core.fields.EncryptedTextField(blank=True, default='', verbose_name='phone')),
                        ('email', kehu.core.fields.EncryptedTextField(blank=True, default='', verbose_name='e-mail')),
                        ('is_primary', models.BooleanField(default=False, verbose_name='primary contact')),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('customer', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='contacts', to='customers.customer')),
                    ],
                    options={
                        'verbose_name': 'contact',
                        'verbose_name_plural': 'contacts',
                        'ordering': ['-is_primary', 'id'],
                    },
                ),
                migrations.CreateModel(
                    name='ConsentRecord',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('purpose', models.CharField(default='info_change', max_length=64, verbose_name='purpose')),
                        ('fields', models.JSONField(default=list, verbose_name='fields')),
                        ('status', models.CharField(choices=[('pending', 'Waiting for the customer'), ('confirmed', 'Confirmed by the customer'), ('declined', 'Declined by the customer')], default='pending', max_length=16, verbose_name='status')),
                        ('channel', models.CharField(blank=True, max_length=32, verbose_name='channel')),
                        ('requested_at', models.DateTimeField(auto_now_add=True)),
                        ('responded_at', models.DateTimeField(blank=True, null=True)),
                        ('recorded_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('customer', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='consents', to='customers.customer')),
                    ],
                    options={
                        'ordering': ['-requested_at'],
                    },
                ),
                migrations.CreateModel(
                    name='CustomerGroup',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('code', models.CharField(max_length=32, unique=True, verbose_name='code')),
                        ('name', models.CharField(max_length=200, verbose_name='name')),
                        ('org_path', models.CharField(db_index=True, editable=False, max_length=1000)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('org_unit', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='core.orgunit')),
                    ],
                    options={
                        'verbose_name': 'customer group',
                        'verbose_name_plural': 'customer groups',
                    },
                ),
                migrations.CreateModel(
                    name='Document',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(choices=[('questionnaire', 'Customer basic-information questionnaire'), ('licence', 'Licence copy'), ('contract', 'Contract'), ('identity', 'Identity document'), ('financial', 'Financial statement'), ('other', 'Other')], max_length=32, verbose_name='kind')),
                        ('title', models.CharField(max_length=200, verbose_name='title')),
                        ('filename', models.CharField(max_length=255, verbose_name='file name')),
                        ('content_type', models.CharField(max_length=100)),
                        ('size', models.PositiveBigIntegerField(verbose_name='size')),
                        ('sha256', models.CharField(max_length=64)),
                        ('storage_name', models.CharField(max_length=100, unique=True)),
                        ('uploaded_at', models.DateTimeField(auto_now_add=True)),
                        ('customer', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='documents', to='customers.customer')),
                        ('uploaded_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'verbose_name': 'document',
                        'verbose_name_plural': 'documents',
                        'ordering': ['-uploaded_at'],
                    },
                ),
                migrations.CreateModel(
                    name='GroupMembership',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('relation', models.CharField(choices=[('parent', 'Parent company'), ('subsidiary', 'Controlled subsidiary'), ('common_control', 'Under common control'), ('key_individual', 'Controlled by the same key individual or family'), ('other', 'Other related party')], max_length=32, verbose_name='relation')),
                        ('evidence', models.CharField(blank=True, max_length=500, verbose_name='evidence')),
                        ('since', models.DateField(blank=True, null=True, verbose_name='since')),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('customer', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='group_memberships', to='customers.customer')),
                        ('group', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='memberships', to='customers.customergroup')),
                    ],
                    options={
                        'verbose_name': 'group membership',
                        'verbose_name_plural': 'group memberships',
                        'constraints': [models.UniqueConstraint(fields=('customer',), name='one_group_per_customer')],
                    },
                ),
                migrations.CreateModel(
                    name='InfoChangeLog',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('field', models.CharField(max_length=64, verbose_name='field')),
                        ('old_display', models.CharField(blank=True, max_length=500, verbose_name='old value')),
                        ('new_display', models.CharField(blank=True, max_length=500, verbose_name='new value')),
                        ('is_personal', models.BooleanField(default=False)),
                        ('ts', models.DateTimeField(auto_now_add=True)),
                        ('actor', models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('customer', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='changes', to='customers.customer')),
                    ],
                    options={
                        'ordering': ['-ts', '-id'],
                    },
                ),
                migrations.CreateModel(
                    name='Licence',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(choices=[('business_licence', 'Business licence'), ('tax_registration', 'Tax registration'), ('safety_permit', 'Safety production permit'), ('environmental_permit', 'Pollutant discharge / environmental permit'), ('financial_licence', 'Financial licence'), ('other', 'Other qualification')], max_length=32, verbose_name='kind')),
                        ('number', models.CharField(max_length=64, verbose_name='number')),
                        ('issuer', models.CharField(blank=True, max_length=200, verbose_name='issuer')),
                        ('valid_from', models.DateField(blank=True, null=True, verbose_name='valid from')),
                        ('valid_to', models.DateField(blank=True, null=True, verbose_name='valid to')),
                        ('annual_report_ok', models.BooleanField(default=True, verbose_name='annual report filed')),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('customer', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='licences', to='customers.customer')),
                        ('document', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='customers.document')),
                    ],
                    options={
                        'verbose_name': 'licence',
                        'verbose_name_plural': 'licences',
                        'ordering': ['kind', '-valid_to'],
                        'constraints': [models.CheckConstraint(condition=models.Q(('valid_to__isnull', True), ('valid_from__isnull', True), ('valid_to__gte', models.F('valid_from')), _connector='OR'), name='licence_dates_ordered')],
                    },
                ),
                migrations.CreateModel(
                    name='SalesContract',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('number', models.CharField(max_length=64, verbose_name='contract number')),
                        ('title', models.CharField(blank=True, max_length=200, verbose_name='title')),
                        ('kind', models.CharField(choices=[('purchase_sales', 'Purchase/sales contract'), ('framework', 'Framework agreement'), ('other', 'Other contract')], default='purchase_sales', max_length=32, verbose_name='kind')),
                        ('signed_on', models.DateField(verbose_name='signed on')),
                        ('valid_to', models.DateField(blank=True, null=True, verbose_name='valid to')),
                        ('amount', models.DecimalField(blank=True, decimal_places=2, max_digits=20, null=True, verbose_name='amount')),
                        ('currency', models.CharField(default='CNY', max_length=3, verbose_name='currency')),
                        ('status', models.CharField(choices=[('filed', 'Filed'), ('expired', 'Expired'), ('terminated', 'Terminated')], default='filed', max_length=16, verbose_name='status')),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('customer', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='contracts', to='customers.customer')),
                        ('document', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='customers.document')),
                    ],
                    options={
                        'verbose_name': 'sales contract',
                        'verbose_name_plural': 'sales contracts',
                        'ordering': ['-signed_on'],
                        'constraints': [models.UniqueConstraint(fields=('customer', 'number'), name='contract_number_unique')],
                    },
                ),
                migrations.CreateModel(
                    name='AdmissionReview',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('round', models.PositiveIntegerField()),
                        ('stage', models.CharField(choices=[('sales_check', 'Sales pre-check'), ('office_review', 'Office review'), ('department', 'Department opinion'), ('committee', 'Committee vote')], max_length=20, verbose_name='stage')),
                        ('department', models.CharField(blank=True, choices=[('enterprise_mgmt', 'Enterprise management'), ('production', 'Production'), ('finance', 'Finance'), ('audit', 'Audit and supervision'), ('safety_env', 'Safety and environment')], max_length=32, verbose_name='department')),
                        ('opinion', models.CharField(choices=[('approve', 'Approve'), ('conditional', 'Approve with conditions'), ('reject', 'Reject'), ('return', 'Return for correction')], max_length=16, verbose_name='opinion')),
                        ('comment', models.TextField(blank=True, verbose_name='comment')),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('application', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='reviews', to='customers.admissionapplication')),
                        ('reviewer', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'ordering': ['id'],
                        'constraints': [models.UniqueConstraint(condition=models.Q(('stage', 'department')), fields=('application', 'round', 'department'), name='one_opinion_per_department_round'), models.UniqueConstraint(condition=models.Q(('stage', 'committee')), fields=('application', 'round', 'reviewer'), name='one_vote_per_member_round')],
                    },
                ),
            ],
        ),
        migrations.RunPython(search_indexes, drop_search_indexes),
    ]
