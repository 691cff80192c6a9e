"""bulk 0001-0004, squashed (docs/migrations.md): a fresh database gets the tables in their final form.

Not carried over: 0003_encrypt_row_error_values's RunPython, which encrypted the rejected-row cells already in
the table; a database built by this migration has none.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import kehu.core.fields
from kehu.core.migration_operations import CreateModels


class Migration(migrations.Migration):

    replaces = [
        ('bulk', '0001_initial'),
        ('bulk', '0002_job_progress'),
        ('bulk', '0003_encrypt_row_error_values'),
        ('bulk', '0004_export_request'),
    ]

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        CreateModels(
            operations=[
                migrations.CreateModel(
                    name='ImportJob',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('target', models.CharField(max_length=50, verbose_name='target')),
                        ('file_name', models.CharField(max_length=255, verbose_name='file name')),
                        ('file_hash', models.CharField(db_index=True, max_length=64, verbose_name='file hash')),
                        ('mode', models.CharField(choices=[('create', 'Create only'), ('update', 'Update only'), ('upsert', 'Create or update')], max_length=10, verbose_name='mode')),
                        ('org_code', models.CharField(blank=True, max_length=50, verbose_name='org unit')),
                        ('status', models.CharField(choices=[('queued', 'Queued'), ('running', 'Running'), ('done', 'Done'), ('failed', 'Failed')], default='queued', max_length=10, verbose_name='status')),
                        ('rows_total', models.PositiveIntegerField(default=0, verbose_name='rows')),
                        ('rows_created', models.PositiveIntegerField(default=0, verbose_name='created')),
                        ('rows_updated', models.PositiveIntegerField(default=0, verbose_name='updated')),
                        ('rows_unchanged', models.PositiveIntegerField(default=0, verbose_name='unchanged')),
                        ('rows_rejected', models.PositiveIntegerField(default=0, verbose_name='rejected')),
                        ('error_file', models.CharField(blank=True, max_length=500, verbose_name='error file')),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('finished_at', models.DateTimeField(blank=True, null=True)),
                        ('actor', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('message', models.TextField(blank=True, verbose_name='message')),
                        ('rows_done', models.PositiveIntegerField(default=0, verbose_name='rows handled')),
                        ('rows_expected', models.PositiveIntegerField(blank=True, null=True, verbose_name='rows in the file')),
                        ('source_file', models.CharField(blank=True, max_length=500, verbose_name='uploaded file')),
                        ('updated_at', models.DateTimeField(auto_now=True)),
                    ],
                    options={
                        'verbose_name': 'import job',
                        'verbose_name_plural': 'import jobs',
                    },
                ),
                migrations.CreateModel(
                    name='ImportRowError',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('line', models.PositiveIntegerField()),
                        ('reason', models.TextField()),
                        ('job', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='row_errors', to='bulk.importjob')),
                        ('reason_en', models.TextField(blank=True)),
                        ('values', kehu.core.fields.EncryptedJSONField(default=list)),
                    ],
                    options={
                        'ordering': ['line'],
                    },
                ),
                migrations.CreateModel(
                    name='ImportChunk',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('index', models.PositiveIntegerField()),
                        ('created', models.PositiveIntegerField(default=0)),
                        ('updated', models.PositiveIntegerField(default=0)),
                        ('unchanged', models.PositiveIntegerField(default=0)),
                        ('rejected', models.PositiveIntegerField(default=0)),
                        ('job', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='chunks', to='bulk.importjob')),
                    ],
                    options={
                        'constraints': [models.UniqueConstraint(fields=('job', 'index'), name='bulk_chunk_once')],
                    },
                ),
                migrations.CreateModel(
                    name='ExportRequest',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('filters', models.JSONField(default=dict, verbose_name='filters')),
                        ('fmt', models.CharField(max_length=10, verbose_name='format')),
                        ('rows', models.PositiveIntegerField(verbose_name='rows')),
                        ('masked', models.BooleanField(default=True, verbose_name='masked')),
                        ('reason', models.CharField(max_length=500, verbose_name='reason')),
                        ('status', models.CharField(choices=[('pending', 'Waiting for approval'), ('approved', 'Approved'), ('rejected', 'Rejected'), ('downloaded', 'Downloaded')], default='pending', max_length=12, verbose_name='status')),
                        ('note', models.CharField(blank=True, max_length=500, verbose_name='note')),
                        ('org_path', models.CharField(db_index=True, max_length=255)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('decided_at', models.DateTimeField(blank=True, null=True)),
                        ('downloaded_at', models.DateTimeField(blank=True, null=True)),
                        ('approver', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='decided by')),
                        ('requester', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='requested by')),
                    ],
                    options={
                        'verbose_name': 'export request',
                        'ordering': ['-pk'],
                    },
                ),
            ],
        ),
    ]
