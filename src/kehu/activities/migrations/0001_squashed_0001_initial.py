"""activities 0001_initial, as one change of the migration state (docs/migrations.md): the same tables, created
through CreateModels, which renders the migration state once instead of once per model.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from kehu.core.migration_operations import CreateModels


class Migration(migrations.Migration):

    replaces = [
        ('activities', '0001_initial'),
    ]

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ('customers', '0003_search_fts'),
    ]

    operations = [
        CreateModels(
            operations=[
                migrations.CreateModel(
                    name='Activity',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('org_path', models.CharField(db_index=True, max_length=255, verbose_name='org unit path')),
                        ('kind', models.CharField(choices=[('call', 'Call'), ('visit', 'Visit'), ('meeting', 'Meeting'), ('email', 'E-mail'), ('note', 'Note')], max_length=16, verbose_name='kind')),
                        ('occurred_at', models.DateTimeField(verbose_name='when')),
                        ('summary', models.CharField(max_length=500, verbose_name='summary')),
                        ('outcome', models.TextField(blank=True, verbose_name='outcome')),
                        ('next_contact_on', models.DateField(blank=True, null=True, verbose_name='next contact planned')),
                        ('deleted', models.BooleanField(default=False, verbose_name='deleted')),
                        ('version', models.PositiveIntegerField(default=1)),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='recorded at')),
                        ('contact', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='customers.contact', verbose_name='with')),
                        ('customer', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='activities', to='customers.customer', verbose_name='customer')),
                        ('document', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='customers.document', verbose_name='attachment')),
                        ('owner', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='by')),
                    ],
                    options={
                        'verbose_name': 'activity',
                        'verbose_name_plural': 'activities',
                        'ordering': ['-occurred_at', '-id'],
                        'indexes': [models.Index(fields=['customer', 'occurred_at'], name='activity_customer_time')],
                    },
                ),
                migrations.CreateModel(
                    name='FollowUpTask',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('org_path', models.CharField(db_index=True, max_length=255, verbose_name='org unit path')),
                        ('title', models.CharField(max_length=300, verbose_name='what to do')),
                        ('requested_due_on', models.DateField(verbose_name='requested due date')),
                        ('due_on', models.DateField(db_index=True, verbose_name='due date')),
                        ('status', models.CharField(choices=[('open', 'Open'), ('done', 'Done'), ('cancelled', 'Cancelled')], default='open', max_length=16, verbose_name='status')),
                        ('done_at', models.DateTimeField(blank=True, null=True, verbose_name='done at')),
                        ('note', models.TextField(blank=True, verbose_name='note')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created at')),
                        ('activity', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='tasks', to='activities.activity', verbose_name='from activity')),
                        ('assignee', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='follow_ups', to=settings.AUTH_USER_MODEL, verbose_name='assigned to')),
                        ('created_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='assigned by')),
                        ('customer', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='follow_ups', to='customers.customer', verbose_name='customer')),
                        ('done_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='done by')),
                    ],
                    options={
                        'verbose_name': 'follow-up task',
                        'verbose_name_plural': 'follow-up tasks',
                        'ordering': ['due_on', 'id'],
                        'indexes': [models.Index(fields=['assignee', 'status', 'due_on'], name='task_assignee_due')],
                    },
                ),
            ],
        ),
    ]
