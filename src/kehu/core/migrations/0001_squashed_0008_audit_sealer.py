"""core 0001-0007 and 0008_audit_sealer, squashed (docs/migrations.md): a fresh database gets these tables in their
final form. The rest stay as they are and run after this one: 0008_business_calendar (the business calendar's
models taken over from helpdesk, whose 0010 it needs), 0008_background_job (kept apart so that a fresh database
numbers the content types as before: the calendar's come before Job's) and the merges 0009 and 0010.

Not carried over, as they only rewrite rows a database built by this migration does not have:
0005_security_auth's RunPython (the org path of audit rows written before issue 11) and 0008_audit_sealer's
RunSQL (the seal sequence of audit rows written before the sealer). The roles of 0002, 0003 and
0005_privacy_officer_role are the choices of RoleAssignment.role, not rows.
"""

import django.contrib.auth.validators
import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

import kehu.core.fields
import kehu.core.models
from kehu.core.migration_operations import CreateModels


class Migration(migrations.Migration):

    replaces = [
        ('core', '0001_initial'),
        ('core', '0002_more_roles'),
        ('core', '0003_trade_credit_roles'),
        ('core', '0004_scheduled_run'),
        ('core', '0005_security_auth'),
        ('core', '0005_audit_customer_timeline'),
        ('core', '0006_merge_0005_audit_customer_timeline_0005_security_auth'),
        ('core', '0005_privacy_officer_role'),
        ('core', '0007_merge_20261207_0509'),
        ('core', '0008_audit_sealer'),
    ]

    dependencies = [
        ('auth', '0012_alter_user_first_name_max_length'),
    ]

    operations = [
        CreateModels(
            operations=[
                migrations.CreateModel(
                    name='AuditChainHead',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('last_id', models.BigIntegerField(default=0)),
                        ('last_hash', models.CharField(max_length=64)),
                        ('count', models.BigIntegerField(default=0)),
                    ],
                ),
                migrations.CreateModel(
                    name='User',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('password', models.CharField(max_length=128, verbose_name='password')),
                        ('last_login', models.DateTimeField(blank=True, null=True, verbose_name='last login')),
                        ('is_superuser', models.BooleanField(default=False, help_text='Designates that this user has all permissions without explicitly assigning them.', verbose_name='superuser status')),
                        ('username', models.CharField(error_messages={'unique': 'A user with that username already exists.'}, help_text='Required. 150 characters or fewer. Letters, digits and @/./+/-/_ only.', max_length=150, unique=True, validators=[django.contrib.auth.validators.UnicodeUsernameValidator()], verbose_name='username')),
                        ('first_name', models.CharField(blank=True, max_length=150, verbose_name='first name')),
                        ('last_name', models.CharField(blank=True, max_length=150, verbose_name='last name')),
                        ('email', models.EmailField(blank=True, max_length=254, verbose_name='email address')),
                        ('is_staff', models.BooleanField(default=False, help_text='Designates whether the user can log into this admin site.', verbose_name='staff status')),
                        ('is_active', models.BooleanField(default=True, help_text='Designates whether this user should be treated as active. Unselect this instead of deleting accounts.', verbose_name='active')),
                        ('date_joined', models.DateTimeField(default=django.utils.timezone.now, verbose_name='date joined')),
                        ('display_name', models.CharField(blank=True, max_length=100, verbose_name='display name')),
                        ('failed_logins', models.PositiveIntegerField(default=0, verbose_name='failed logins')),
                        ('locked_until', models.DateTimeField(blank=True, null=True, verbose_name='locked until')),
                        ('password_changed_at', models.DateTimeField(blank=True, null=True, verbose_name='password changed at')),
                        ('groups', models.ManyToManyField(blank=True, help_text='The groups this user belongs to. A user will get all permissions granted to each of their groups.', related_name='user_set', related_query_name='user', to='auth.group', verbose_name='groups')),
                        ('user_permissions', models.ManyToManyField(blank=True, help_text='Specific permissions for this user.', related_name='user_set', related_query_name='user', to='auth.permission', verbose_name='user permissions')),
                        ('org_unit', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='users', to='core.orgunit', verbose_name='org unit')),
                        ('totp_enabled_at', models.DateTimeField(blank=True, null=True, verbose_name='second factor enabled at')),
                        ('totp_secret', kehu.core.fields.EncryptedTextField(blank=True, default='', verbose_name='TOTP secret')),
                        ('totp_last_step', models.BigIntegerField(blank=True, null=True, verbose_name='last code step')),
                    ],
                    options={
                        'verbose_name': 'user',
                        'verbose_name_plural': 'users',
                    },
                    managers=[
                        ('objects', kehu.core.models.KehuUserManager()),
                    ],
                ),
                migrations.CreateModel(
                    name='ApiToken',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('name', models.CharField(blank=True, max_length=100, verbose_name='name')),
                        ('prefix', models.CharField(max_length=12, verbose_name='prefix')),
                        ('key_hash', models.CharField(max_length=64, unique=True, verbose_name='key hash')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created at')),
                        ('expires_at', models.DateTimeField(blank=True, null=True, verbose_name='expires at')),
                        ('revoked_at', models.DateTimeField(blank=True, null=True, verbose_name='revoked at')),
                        ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='api_tokens', to=settings.AUTH_USER_MODEL, verbose_name='user')),
                        ('last_used_at', models.DateTimeField(blank=True, null=True, verbose_name='last used at')),
                    ],
                    options={
                        'verbose_name': 'API token',
                        'verbose_name_plural': 'API tokens',
                    },
                ),
                migrations.CreateModel(
                    name='OrgUnit',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('code', models.CharField(max_length=32, unique=True, verbose_name='code')),
                        ('name', models.CharField(max_length=200, verbose_name='name')),
                        ('path', models.CharField(db_index=True, editable=False, max_length=1000, verbose_name='path')),
                        ('is_active', models.BooleanField(default=True, verbose_name='active')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created at')),
                        ('parent', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='children', to='core.orgunit', verbose_name='parent')),
                    ],
                    options={
                        'verbose_name': 'org unit',
                        'verbose_name_plural': 'org units',
                        'ordering': ['path'],
                    },
                ),
                migrations.CreateModel(
                    name='RuleParameter',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('code', models.CharField(db_index=True, max_length=100, verbose_name='code')),
                        ('value', models.JSONField(verbose_name='value')),
                        ('unit', models.CharField(blank=True, max_length=32, verbose_name='unit')),
                        ('provenance', models.CharField(choices=[('source', 'Source document'), ('pub_confirmed', 'Public source, confirmed'), ('pub_to_verify', 'Public source, to verify'), ('proposed', 'Proposed default')], default='proposed', max_length=16, verbose_name='provenance')),
                        ('source_ref', models.CharField(blank=True, max_length=200, verbose_name='source reference')),
                        ('effective_from', models.DateField(verbose_name='effective from')),
                        ('effective_to', models.DateField(blank=True, null=True, verbose_name='effective to')),
                        ('status', models.CharField(choices=[('pending', 'Pending approval'), ('approved', 'Approved'), ('rejected', 'Rejected')], default='pending', max_length=16, verbose_name='status')),
                        ('proposed_at', models.DateTimeField(auto_now_add=True, verbose_name='proposed at')),
                        ('approved_at', models.DateTimeField(blank=True, null=True, verbose_name='approved at')),
                        ('reason', models.TextField(blank=True, verbose_name='reason')),
                        ('approved_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('proposed_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'verbose_name': 'rule parameter',
                        'verbose_name_plural': 'rule parameters',
                        'ordering': ['code', '-effective_from'],
                    },
                ),
                migrations.CreateModel(
                    name='AuditEvent',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('ts', models.DateTimeField(db_index=True, verbose_name='time')),
                        ('actor_name', models.CharField(blank=True, max_length=150, verbose_name='actor name')),
                        ('event_code', models.PositiveIntegerField(db_index=True, verbose_name='event code')),
                        ('event', models.CharField(max_length=64, verbose_name='event')),
                        ('object_type', models.CharField(blank=True, max_length=64, verbose_name='object type')),
                        ('object_id', models.CharField(blank=True, max_length=64, verbose_name='object id')),
                        ('customer_id', models.BigIntegerField(blank=True, db_index=True, null=True, verbose_name='customer')),
                        ('old_values', models.JSONField(blank=True, null=True, verbose_name='old values')),
                        ('new_values', models.JSONField(blank=True, null=True, verbose_name='new values')),
                        ('reason', models.TextField(blank=True, verbose_name='reason')),
                        ('ip', models.CharField(blank=True, max_length=45, verbose_name='IP address')),
                        ('channel', models.CharField(blank=True, max_length=16, verbose_name='channel')),
                        ('prev_hash', models.CharField(max_length=64, verbose_name='previous hash')),
                        ('row_hash', models.CharField(max_length=64, verbose_name='row hash')),
                        ('actor', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='actor')),
                        ('hash_version', models.PositiveSmallIntegerField(default=1, verbose_name='hash version')),
                        ('org_path', models.CharField(blank=True, db_index=True, max_length=1000, verbose_name='org path')),
                        ('content_hash', models.CharField(blank=True, default='', max_length=64, verbose_name='content hash')),
                        ('seal_seq', models.BigIntegerField(blank=True, null=True, unique=True, verbose_name='seal sequence')),
                    ],
                    options={
                        'verbose_name': 'audit event',
                        'verbose_name_plural': 'audit events',
                        'ordering': ['id'],
                        'indexes': [models.Index(fields=['actor', 'ts'], name='core_audite_actor_i_46da3f_idx'), models.Index(fields=['object_type', 'object_id'], name='core_audite_object__bbabc4_idx'), models.Index(fields=['customer_id', 'ts', 'id'], name='audit_customer_timeline'), models.Index(condition=models.Q(('seal_seq__isnull', True)), fields=['id'], name='audit_unsealed')],
                    },
                ),
                migrations.CreateModel(
                    name='RoleAssignment',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('role', models.CharField(choices=[('customer_manager', 'Customer manager (sales)'), ('customer_office', 'Customer-management office'), ('dept_reviewer', 'Department reviewer'), ('committee', 'Customer-management committee member'), ('auditor', 'Auditor'), ('sysadmin', 'System administrator'), ('credit_approver', 'Credit approver'), ('risk_officer', 'Risk-management officer'), ('finance_officer', 'Finance officer'), ('service_agent', 'Customer-service agent'), ('service_supervisor', 'Customer-service supervisor'), ('sales_manager', 'Sales manager'), ('finance_manager', 'Finance manager'), ('general_manager', 'General manager'), ('privacy_officer', 'Personal-information protection officer')], max_length=32, verbose_name='role')),
                        ('department', models.CharField(blank=True, choices=[('enterprise_mgmt', 'Enterprise management'), ('production', 'Production'), ('finance', 'Finance'), ('audit', 'Audit and supervision'), ('safety_env', 'Safety and environment')], max_length=32, verbose_name='department')),
                        ('own_customers_only', models.BooleanField(default=False, help_text='Limit a customer manager to the customers assigned to them.', verbose_name='own customers only')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created at')),
                        ('org_unit', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='core.orgunit', verbose_name='org unit')),
                        ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='role_assignments', to=settings.AUTH_USER_MODEL, verbose_name='user')),
                    ],
                    options={
                        'verbose_name': 'role assignment',
                        'verbose_name_plural': 'role assignments',
                        'constraints': [models.UniqueConstraint(fields=('user', 'role', 'org_unit', 'department'), name='role_assignment_unique'), models.CheckConstraint(condition=models.Q(('role', 'dept_reviewer'), ('department', ''), _connector='OR'), name='role_department_only_for_reviewers')],
                    },
                ),
                migrations.CreateModel(
                    name='ScheduledRun',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('job', models.CharField(max_length=64, verbose_name='job')),
                        ('slot', models.CharField(max_length=32, verbose_name='slot')),
                        ('state', models.CharField(choices=[('running', 'Running'), ('done', 'Done'), ('failed', 'Failed')], default='running', max_length=16, verbose_name='state')),
                        ('attempts', models.PositiveIntegerField(default=1, verbose_name='attempts')),
                        ('started_at', models.DateTimeField(verbose_name='started at')),
                        ('finished_at', models.DateTimeField(blank=True, null=True, verbose_name='finished at')),
                        ('result', models.JSONField(blank=True, default=dict, verbose_name='result')),
                        ('error', models.TextField(blank=True, verbose_name='error')),
                    ],
                    options={
                        'verbose_name': 'scheduled run',
                        'verbose_name_plural': 'scheduled runs',
                        'ordering': ['-started_at', '-id'],
                        'constraints': [models.UniqueConstraint(fields=('job', 'slot'), name='scheduled_run_once_per_slot')],
                    },
                ),
                migrations.CreateModel(
                    name='LoginThrottle',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('key', models.CharField(max_length=200, unique=True, verbose_name='key')),
                        ('failures', models.PositiveIntegerField(default=0, verbose_name='failures')),
                        ('last_failure_at', models.DateTimeField(verbose_name='last failure at')),
                        ('blocked_until', models.DateTimeField(blank=True, null=True, verbose_name='blocked until')),
                    ],
                    options={
                        'verbose_name': 'login throttle',
                        'verbose_name_plural': 'login throttles',
                    },
                ),
                migrations.CreateModel(
                    name='PasswordHistory',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('password', models.CharField(max_length=128, verbose_name='password hash')),
                        ('created_at', models.DateTimeField(verbose_name='created at')),
                        ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='password_history', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'verbose_name': 'earlier password',
                        'verbose_name_plural': 'earlier passwords',
                        'ordering': ['-created_at', '-id'],
                    },
                ),
                migrations.CreateModel(
                    name='RecoveryCode',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('code_hash', models.CharField(max_length=128, verbose_name='code hash')),
                        ('created_at', models.DateTimeField(verbose_name='created at')),
                        ('used_at', models.DateTimeField(blank=True, null=True, verbose_name='used at')),
                        ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='recovery_codes', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'verbose_name': 'recovery code',
                        'verbose_name_plural': 'recovery codes',
                    },
                ),
            ],
        ),
    ]
