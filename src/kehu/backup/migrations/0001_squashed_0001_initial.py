"""backup 0001_initial, as one change of the migration state (docs/migrations.md): the same tables, created
through CreateModels, which renders the migration state once instead of once per model.
"""

import django.db.models.deletion
from django.db import migrations, models

from kehu.core.migration_operations import CreateModels


class Migration(migrations.Migration):

    replaces = [
        ('backup', '0001_initial'),
    ]

    dependencies = []

    operations = [
        CreateModels(
            operations=[
                migrations.CreateModel(
                    name='BackupRun',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(choices=[('full', 'Weekly full'), ('daily', 'Daily'), ('manual', 'Manual')], max_length=16, verbose_name='kind')),
                        ('state', models.CharField(choices=[('running', 'Running'), ('done', 'Done'), ('failed', 'Failed'), ('destroyed', 'Destroyed by retention')], default='running', max_length=16, verbose_name='state')),
                        ('engine', models.CharField(max_length=16, verbose_name='database engine')),
                        ('started_at', models.DateTimeField(verbose_name='started at')),
                        ('finished_at', models.DateTimeField(blank=True, null=True, verbose_name='finished at')),
                        ('path', models.CharField(blank=True, max_length=1000, verbose_name='file')),
                        ('size', models.PositiveBigIntegerField(blank=True, null=True, verbose_name='size')),
                        ('sha256', models.CharField(blank=True, max_length=64)),
                        ('backup_key_id', models.CharField(blank=True, max_length=16, verbose_name='backup key')),
                        ('tables', models.PositiveIntegerField(blank=True, null=True, verbose_name='tables')),
                        ('rows', models.PositiveBigIntegerField(blank=True, null=True, verbose_name='rows')),
                        ('documents', models.PositiveIntegerField(blank=True, null=True, verbose_name='documents')),
                        ('audit_last_id', models.BigIntegerField(blank=True, null=True)),
                        ('audit_last_hash', models.CharField(blank=True, max_length=64)),
                        ('data_key_ids', models.JSONField(blank=True, default=list)),
                        ('error', models.TextField(blank=True, verbose_name='error')),
                        ('destroyed_at', models.DateTimeField(blank=True, null=True, verbose_name='destroyed at')),
                    ],
                    options={
                        'verbose_name': 'backup run',
                        'verbose_name_plural': 'backup runs',
                        'ordering': ['-started_at'],
                        'indexes': [models.Index(fields=['state', '-finished_at'], name='backup_run_state_finished')],
                    },
                ),
                migrations.CreateModel(
                    name='RestoreDrill',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('started_at', models.DateTimeField(verbose_name='started at')),
                        ('finished_at', models.DateTimeField(blank=True, null=True, verbose_name='finished at')),
                        ('ok', models.BooleanField(default=False, verbose_name='passed')),
                        ('seconds', models.FloatField(blank=True, null=True, verbose_name='duration (s)')),
                        ('rto_hours', models.FloatField(blank=True, null=True, verbose_name='recovery time objective (h)')),
                        ('problems', models.JSONField(blank=True, default=list, verbose_name='problems')),
                        ('backup', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='drills', to='backup.backuprun')),
                    ],
                    options={
                        'verbose_name': 'restore drill',
                        'verbose_name_plural': 'restore drills',
                        'ordering': ['-started_at'],
                    },
                ),
            ],
        ),
    ]
