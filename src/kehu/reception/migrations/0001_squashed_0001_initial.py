"""reception 0001_initial, as one change of the migration state (docs/migrations.md): the same tables, created
through CreateModels, which renders the migration state once instead of once per model.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import kehu.core.fields
from kehu.core.migration_operations import CreateModels


class Migration(migrations.Migration):

    replaces = [
        ('reception', '0001_initial'),
    ]

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ('customers', '0003_search_fts'),
    ]

    operations = [
        CreateModels(
            operations=[
                migrations.CreateModel(
                    name='SafetyCheckItem',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('org_path', models.CharField(db_index=True, max_length=255, verbose_name='org unit path')),
                        ('name', models.CharField(max_length=120, verbose_name='check')),
                        ('interval_months', models.PositiveIntegerField(verbose_name='interval (months)')),
                        ('next_due_on', models.DateField(db_index=True, verbose_name='next due on')),
                        ('alerted_for', models.DateField(blank=True, null=True, verbose_name='overdue alert sent for')),
                        ('active', models.BooleanField(default=True, verbose_name='active')),
                        ('responsible', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='responsible')),
                    ],
                    options={
                        'verbose_name': 'safety check',
                        'verbose_name_plural': 'safety checks',
                    },
                ),
                migrations.CreateModel(
                    name='SafetyCheckRecord',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('done_on', models.DateField(verbose_name='done on')),
                        ('passed', models.BooleanField(verbose_name='passed')),
                        ('notes', models.CharField(blank=True, max_length=500, verbose_name='notes')),
                        ('recorded_at', models.DateTimeField(verbose_name='recorded at')),
                        ('by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='checked by')),
                        ('item', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='records', to='reception.safetycheckitem')),
                    ],
                    options={
                        'ordering': ['-done_on', '-pk'],
                    },
                ),
                migrations.CreateModel(
                    name='Visit',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('org_path', models.CharField(db_index=True, max_length=255, verbose_name='org unit path')),
                        ('visitor_kind', models.CharField(choices=[('prospect', 'Prospect'), ('customer', 'Customer'), ('partner', 'Partner'), ('other', 'Other')], max_length=16, verbose_name='visitor kind')),
                        ('visitor_name', kehu.core.fields.EncryptedTextField(blank=True, verbose_name='visitor name')),
                        ('visitor_phone', kehu.core.fields.EncryptedTextField(blank=True, verbose_name='visitor phone')),
                        ('visitor_email', kehu.core.fields.EncryptedTextField(blank=True, verbose_name='visitor e-mail')),
                        ('visitor_organisation', models.CharField(blank=True, max_length=200, verbose_name="visitor's organisation")),
                        ('purpose', models.CharField(max_length=300, verbose_name='purpose of the visit')),
                        ('scheduled_start', models.DateTimeField(db_index=True, verbose_name='scheduled start')),
                        ('expected_minutes', models.PositiveIntegerField(verbose_name='expected length of stay (minutes)')),
                        ('state', models.CharField(choices=[('requested', 'Requested'), ('scheduled', 'Scheduled'), ('checked_in', 'Checked in'), ('in_meeting', 'In meeting'), ('checked_out', 'Checked out'), ('surveyed', 'Surveyed'), ('closed', 'Closed'), ('cancelled', 'Cancelled'), ('no_show', 'No-show')], db_index=True, max_length=16, verbose_name='state')),
                        ('requested_by_visitor', models.BooleanField(default=False, verbose_name='requested by the visitor')),
                        ('outside_hours', models.BooleanField(default=False, verbose_name='outside reception hours')),
                        ('vip', models.BooleanField(default=False, verbose_name='VIP')),
                        ('vip_checklist', models.JSONField(blank=True, default=dict, verbose_name='VIP checklist')),
                        ('confidential', models.BooleanField(default=False, verbose_name='confidential negotiation')),
                        ('meeting_notes', models.TextField(blank=True, verbose_name='meeting notes')),
                        ('checked_in_at', models.DateTimeField(blank=True, null=True, verbose_name='checked in at')),
                        ('meeting_started_at', models.DateTimeField(blank=True, null=True, verbose_name='meeting started at')),
                        ('checked_out_at', models.DateTimeField(blank=True, db_index=True, null=True, verbose_name='checked out at')),
                        ('purged_at', models.DateTimeField(blank=True, null=True, verbose_name='registration deleted at')),
                        ('created_at', models.DateTimeField(verbose_name='created at')),
                        ('approved_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='approved by')),
                        ('created_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='booked by')),
                        ('customer', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='customers.customer', verbose_name='customer')),
                        ('host', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='host')),
                        ('reception_user', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='reception staff')),
                    ],
                    options={
                        'verbose_name': 'visit',
                        'verbose_name_plural': 'visits',
                    },
                ),
                migrations.CreateModel(
                    name='VisitEvent',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('at', models.DateTimeField()),
                        ('from_state', models.CharField(blank=True, max_length=16)),
                        ('to_state', models.CharField(max_length=16)),
                        ('note', models.CharField(blank=True, max_length=300)),
                        ('actor', models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('visit', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='history', to='reception.visit')),
                    ],
                    options={
                        'ordering': ['at', 'pk'],
                    },
                ),
            ],
        ),
    ]
