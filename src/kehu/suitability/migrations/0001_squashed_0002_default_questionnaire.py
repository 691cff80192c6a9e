"""suitability 0001-0002, squashed (docs/migrations.md): a fresh database gets the tables in their final form.

Kept: the first risk questionnaire of 0002_default_questionnaire (kehu.suitability.defaults).
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from kehu.core.migration_operations import CreateModels


def seed_default_questionnaire(apps, schema_editor):
    from kehu.suitability.defaults import ensure_default_questionnaire

    ensure_default_questionnaire(apps.get_model("suitability", "Questionnaire"))


class Migration(migrations.Migration):

    replaces = [
        ('suitability', '0001_initial'),
        ('suitability', '0002_default_questionnaire'),
    ]

    dependencies = [
        ('core', '0004_scheduled_run'),
        ('customers', '0003_search_fts'),
    ]

    operations = [
        CreateModels(
            operations=[
                migrations.CreateModel(
                    name='Questionnaire',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('version', models.CharField(max_length=32, unique=True, verbose_name='version')),
                        ('title', models.CharField(max_length=200, verbose_name='title')),
                        ('questions', models.JSONField(verbose_name='questions')),
                        ('bands', models.JSONField(verbose_name='score bands')),
                        ('active', models.BooleanField(default=True, verbose_name='in use')),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                    ],
                    options={
                        'verbose_name': 'risk questionnaire',
                        'verbose_name_plural': 'risk questionnaires',
                    },
                ),
                migrations.CreateModel(
                    name='Filing',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(choices=[('policy', 'Policy filing (qualification)'), ('policy_change', 'Policy filing (change)'), ('policy_legacy', 'Policy filing (firm already in business)'), ('plan', 'Collective plan filing')], max_length=16, verbose_name='kind')),
                        ('org_path', models.CharField(db_index=True, editable=False, max_length=1000)),
                        ('subject', models.CharField(max_length=200, verbose_name='subject')),
                        ('trigger_date', models.DateField(verbose_name='trigger date')),
                        ('due_date', models.DateField(db_index=True, verbose_name='due date')),
                        ('status', models.CharField(choices=[('open', 'Open'), ('submitted', 'Submitted')], default='open', max_length=16, verbose_name='status')),
                        ('warned_at', models.DateTimeField(blank=True, null=True)),
                        ('overdue_at', models.DateTimeField(blank=True, null=True)),
                        ('submitted_at', models.DateTimeField(blank=True, null=True)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('retain_until', models.DateField()),
                        ('created_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('org_unit', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='core.orgunit', verbose_name='firm / org unit')),
                        ('submitted_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('product', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='filings', to='suitability.product', verbose_name='product')),
                    ],
                    options={
                        'verbose_name': 'filing',
                        'verbose_name_plural': 'filings',
                    },
                ),
                migrations.CreateModel(
                    name='FilingDocument',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('doc_kind', models.CharField(choices=[('report', 'Filing report'), ('plan_docs', 'Plan description, contract and risk-disclosure statement'), ('custody', 'Custody agreement'), ('compliance_opinion', "Compliance director's review opinion"), ('existing_plans', 'Note on existing plans and staffing'), ('undertaking', 'Compliance undertaking'), ('policies', 'Policies (investment, trading, accounting, risk, compliance, suitability)')], max_length=24, verbose_name='document')),
                        ('filename', models.CharField(max_length=255, verbose_name='file name')),
                        ('size', models.PositiveBigIntegerField()),
                        ('sha256', models.CharField(max_length=64)),
                        ('storage_name', models.CharField(max_length=100, unique=True)),
                        ('added_at', models.DateTimeField(auto_now_add=True)),
                        ('added_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('filing', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='documents', to='suitability.filing')),
                    ],
                ),
                migrations.CreateModel(
                    name='InvestorProfile',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('org_path', models.CharField(db_index=True, editable=False, max_length=1000)),
                        ('investor_kind', models.CharField(choices=[('person', 'Natural person'), ('entity', 'Legal entity')], max_length=8, verbose_name='investor kind')),
                        ('financial_assets_amount', models.DecimalField(decimal_places=2, default=0, max_digits=20, verbose_name='financial assets (individual or household)')),
                        ('household_financial_net_assets_amount', models.DecimalField(decimal_places=2, default=0, max_digits=20, verbose_name='household financial net assets')),
                        ('average_income_amount', models.DecimalField(decimal_places=2, default=0, max_digits=20, verbose_name='average annual income over 3 years')),
                        ('net_assets_amount', models.DecimalField(decimal_places=2, default=0, max_digits=20, verbose_name='net assets at last year-end (entity)')),
                        ('investment_experience_years', models.PositiveSmallIntegerField(default=0, verbose_name='years of investment experience')),
                        ('is_staff_or_spouse', models.BooleanField(default=False, verbose_name='firm director, supervisor, employee or spouse')),
                        ('facts_confirmed', models.BooleanField(default=False, verbose_name='client confirmed the information is true')),
                        ('professional', models.BooleanField(default=False, verbose_name='professional investor')),
                        ('facts_changed_at', models.DateTimeField(blank=True, null=True, verbose_name='material facts changed at')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created at')),
                        ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated at')),
                        ('retain_until', models.DateField(verbose_name='keep until')),
                        ('created_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('customer', models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name='investor_profile', to='customers.customer', verbose_name='customer')),
                    ],
                    options={
                        'verbose_name': 'investor profile',
                        'verbose_name_plural': 'investor profiles',
                        'constraints': [models.CheckConstraint(condition=models.Q(('financial_assets_amount__gte', 0), ('household_financial_net_assets_amount__gte', 0), ('average_income_amount__gte', 0), ('net_assets_amount__gte', 0)), name='suitability_profile_amounts_not_negative')],
                    },
                ),
                migrations.CreateModel(
                    name='Product',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('code', models.CharField(max_length=32, unique=True, verbose_name='code')),
                        ('name', models.CharField(max_length=200, verbose_name='name')),
                        ('plan_kind', models.CharField(choices=[('single', 'Single-client plan (定向)'), ('collective', 'Collective plan (集合)'), ('private_2018', 'Private asset-management plan (2018)')], max_length=16, verbose_name='plan kind')),
                        ('product_type', models.CharField(choices=[('fixed_income', 'Fixed income'), ('mixed', 'Mixed'), ('equity', 'Equity'), ('derivatives', 'Commodity and derivatives')], max_length=16, verbose_name='investment type')),
                        ('risk_level', models.CharField(choices=[('R1', 'R1 (low)'), ('R2', 'R2 (medium-low)'), ('R3', 'R3 (medium)'), ('R4', 'R4 (medium-high)'), ('R5', 'R5 (high)')], max_length=2, verbose_name='risk level')),
                        ('minimum_amount', models.DecimalField(decimal_places=2, max_digits=20, verbose_name='minimum subscription')),
                        ('max_investors', models.PositiveIntegerField(blank=True, null=True, verbose_name='investor cap')),
                        ('org_path', models.CharField(db_index=True, editable=False, max_length=1000)),
                        ('set_up_on', models.DateField(blank=True, null=True, verbose_name='set up on')),
                        ('open', models.BooleanField(default=True, verbose_name='open for subscription')),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('org_unit', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='core.orgunit', verbose_name='firm / org unit')),
                        ('portfolio_manager', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='portfolio manager')),
                    ],
                    options={
                        'verbose_name': 'asset-management product',
                        'verbose_name_plural': 'asset-management products',
                        'constraints': [models.CheckConstraint(condition=models.Q(('minimum_amount__gt', 0)), name='suitability_product_min_pos')],
                    },
                ),
                migrations.CreateModel(
                    name='MarketingMaterial',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('title', models.CharField(max_length=200, verbose_name='title')),
                        ('body', models.TextField(verbose_name='text')),
                        ('added_at', models.DateTimeField(auto_now_add=True)),
                        ('added_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('product', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='materials', to='suitability.product')),
                    ],
                ),
                migrations.CreateModel(
                    name='ProfessionalDecision',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('conversion', models.BooleanField(default=False, verbose_name='conversion request')),
                        ('basis', models.JSONField(verbose_name='test result')),
                        ('warning_acknowledged', models.BooleanField(default=False, verbose_name='investor acknowledged the warning')),
                        ('status', models.CharField(choices=[('requested', 'Requested'), ('approved', 'Approved'), ('rejected', 'Rejected')], default='requested', max_length=16, verbose_name='status')),
                        ('requested_at', models.DateTimeField()),
                        ('decided_at', models.DateTimeField(blank=True, null=True)),
                        ('note', models.CharField(blank=True, max_length=500, verbose_name='note')),
                        ('retain_until', models.DateField()),
                        ('decided_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('profile', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='professional_decisions', to='suitability.investorprofile')),
                        ('requested_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'verbose_name': 'professional-investor decision',
                        'verbose_name_plural': 'professional-investor decisions',
                    },
                ),
                migrations.CreateModel(
                    name='ProfileEvidence',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(choices=[('assets', 'Financial-asset proof'), ('income', 'Income proof'), ('experience', 'Investment-experience proof'), ('net_assets', 'Audited net assets'), ('other', 'Other evidence')], max_length=16, verbose_name='kind')),
                        ('added_at', models.DateTimeField(auto_now_add=True)),
                        ('retain_until', models.DateField()),
                        ('added_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('document', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='customers.document')),
                        ('profile', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='evidence', to='suitability.investorprofile')),
                    ],
                ),
                migrations.CreateModel(
                    name='RiskAssessment',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('answers', models.JSONField(verbose_name='answers')),
                        ('score', models.PositiveIntegerField(verbose_name='score')),
                        ('investor_class', models.CharField(choices=[('C1', 'C1 (conservative)'), ('C2', 'C2 (cautious)'), ('C3', 'C3 (balanced)'), ('C4', 'C4 (growth)'), ('C5', 'C5 (aggressive)')], max_length=2, verbose_name='investor class')),
                        ('lowest_category', models.BooleanField(default=False, verbose_name='lowest risk-tolerance category')),
                        ('assessed_at', models.DateTimeField(verbose_name='assessed at')),
                        ('valid_until', models.DateField(verbose_name='valid until')),
                        ('expired', models.BooleanField(default=False, verbose_name='expired')),
                        ('superseded', models.BooleanField(default=False, verbose_name='superseded')),
                        ('retain_until', models.DateField()),
                        ('assessed_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('profile', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='assessments', to='suitability.investorprofile')),
                        ('questionnaire', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='suitability.questionnaire')),
                    ],
                    options={
                        'verbose_name': 'risk assessment',
                        'verbose_name_plural': 'risk assessments',
                        'ordering': ['-assessed_at', '-id'],
                    },
                ),
                migrations.CreateModel(
                    name='Subscription',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('org_path', models.CharField(db_index=True, editable=False, max_length=1000)),
                        ('amount', models.DecimalField(decimal_places=2, max_digits=20, verbose_name='amount')),
                        ('currency', models.CharField(default='CNY', max_length=3, verbose_name='currency')),
                        ('subscribed_on', models.DateField(verbose_name='subscription date')),
                        ('rule_version', models.CharField(max_length=8, verbose_name='rule version')),
                        ('state', models.CharField(choices=[('draft', 'Draft'), ('kyc_done', 'KYC done'), ('suitability_ok', 'Suitability matched'), ('warned_confirmed', 'Warned and confirmed'), ('disclosure_signed', 'Risk disclosure signed'), ('contract_signed', 'Contract signed'), ('cooling_off', 'Cooling-off'), ('callback_done', 'Call-back done'), ('active', 'Active'), ('cancelled', 'Cancelled')], db_index=True, default='draft', max_length=20, verbose_name='state')),
                        ('investor_class', models.CharField(blank=True, max_length=16, verbose_name='investor class')),
                        ('warning_text', models.TextField(blank=True, verbose_name='written warning')),
                        ('warned_at', models.DateTimeField(blank=True, null=True)),
                        ('warning_confirmation', models.CharField(blank=True, max_length=500, verbose_name="investor's confirmation")),
                        ('warning_confirmed_at', models.DateTimeField(blank=True, null=True)),
                        ('disclosure_text', models.TextField(blank=True, verbose_name='risk-disclosure statement')),
                        ('disclosure_sha256', models.CharField(blank=True, max_length=64)),
                        ('esignature_ref', models.CharField(blank=True, max_length=200, verbose_name='e-signature record')),
                        ('risk_disclosure_signed_at', models.DateTimeField(blank=True, null=True)),
                        ('contract_signed_at', models.DateTimeField(blank=True, null=True)),
                        ('cooling_off_end', models.DateTimeField(blank=True, db_index=True, null=True, verbose_name='cooling-off ends')),
                        ('callback_due', models.BooleanField(default=False, verbose_name='call-back due')),
                        ('callback_at', models.DateTimeField(blank=True, null=True)),
                        ('callback_note', models.CharField(blank=True, max_length=500, verbose_name='call-back note')),
                        ('activated_at', models.DateTimeField(blank=True, null=True)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('retain_until', models.DateField()),
                        ('assessment', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='suitability.riskassessment')),
                        ('callback_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('created_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('disclosure_document', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='customers.document')),
                        ('explained_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='explained by')),
                        ('investor', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='subscriptions', to='suitability.investorprofile', verbose_name='investor')),
                        ('product', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='subscriptions', to='suitability.product', verbose_name='product')),
                    ],
                    options={
                        'verbose_name': 'subscription',
                        'verbose_name_plural': 'subscriptions',
                        'constraints': [models.CheckConstraint(condition=models.Q(('amount__gt', 0)), name='suitability_subscription_amount_pos')],
                    },
                ),
                migrations.CreateModel(
                    name='SubscriptionStatusChange',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('from_state', models.CharField(max_length=20)),
                        ('to_state', models.CharField(max_length=20)),
                        ('at', models.DateTimeField()),
                        ('note', models.CharField(blank=True, max_length=500)),
                        ('actor', models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('subscription', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='history', to='suitability.subscription')),
                    ],
                    options={
                        'ordering': ['id'],
                    },
                ),
                migrations.CreateModel(
                    name='SuitabilityCheck',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('org_path', models.CharField(db_index=True, max_length=1000)),
                        ('investor_class', models.CharField(max_length=16)),
                        ('product_risk', models.CharField(max_length=2)),
                        ('allowed', models.BooleanField()),
                        ('needs_warning', models.BooleanField()),
                        ('reason_code', models.CharField(max_length=32)),
                        ('checked_at', models.DateTimeField(db_index=True)),
                        ('retain_until', models.DateField()),
                        ('investor', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='suitability.investorprofile')),
                        ('product', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='suitability.product')),
                        ('subscription', models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name='checks', to='suitability.subscription')),
                    ],
                ),
            ],
        ),
        migrations.RunPython(seed_default_questionnaire, migrations.RunPython.noop),
    ]
