"""outbox 0001_initial, as one change of the migration state (docs/migrations.md): the same tables, created
through CreateModels, which renders the migration state once instead of once per model.
"""

from django.db import migrations, models

import kehu.core.fields
from kehu.core.migration_operations import CreateModels


class Migration(migrations.Migration):

    replaces = [
        ('outbox', '0001_initial'),
    ]

    dependencies = []

    operations = [
        CreateModels(
            operations=[
                migrations.CreateModel(
                    name='Message',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('channel', models.CharField(choices=[('email', 'E-mail'), ('sms', 'SMS')], max_length=8, verbose_name='channel')),
                        ('recipient', kehu.core.fields.EncryptedTextField(verbose_name='recipient')),
                        ('subject', models.CharField(blank=True, max_length=200, verbose_name='subject')),
                        ('body', models.TextField(verbose_name='text')),
                        ('purpose', models.CharField(db_index=True, max_length=64, verbose_name='purpose')),
                        ('related_type', models.CharField(blank=True, max_length=64, verbose_name='related object type')),
                        ('related_id', models.CharField(blank=True, max_length=64, verbose_name='related object id')),
                        ('status', models.CharField(choices=[('pending', 'Waiting to be sent'), ('sending', 'Sending'), ('sent', 'Sent'), ('failed', 'Failed')], default='pending', max_length=8, verbose_name='status')),
                        ('attempts', models.PositiveIntegerField(default=0, verbose_name='attempts')),
                        ('next_attempt_at', models.DateTimeField(verbose_name='next attempt at')),
                        ('claimed_at', models.DateTimeField(blank=True, null=True, verbose_name='claimed at')),
                        ('last_error', models.TextField(blank=True, verbose_name='last error')),
                        ('created_at', models.DateTimeField(verbose_name='created at')),
                        ('sent_at', models.DateTimeField(blank=True, null=True, verbose_name='sent at')),
                    ],
                    options={
                        'verbose_name': 'outgoing message',
                        'verbose_name_plural': 'outgoing messages',
                        'indexes': [models.Index(fields=['status', 'next_attempt_at'], name='outbox_mess_status_82fb31_idx'), models.Index(fields=['related_type', 'related_id'], name='outbox_mess_related_22f459_idx')],
                    },
                ),
                migrations.CreateModel(
                    name='SignedLink',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('purpose', models.CharField(max_length=64, verbose_name='purpose')),
                        ('target_type', models.CharField(max_length=64, verbose_name='target type')),
                        ('target_id', models.CharField(max_length=64, verbose_name='target id')),
                        ('nonce_hash', models.CharField(max_length=64, unique=True)),
                        ('expires_at', models.DateTimeField(verbose_name='expires at')),
                        ('used_at', models.DateTimeField(blank=True, null=True, verbose_name='used at')),
                        ('created_at', models.DateTimeField(verbose_name='created at')),
                    ],
                    options={
                        'verbose_name': 'answer link',
                        'verbose_name_plural': 'answer links',
                        'indexes': [models.Index(fields=['target_type', 'target_id'], name='outbox_sign_target__1a0619_idx')],
                    },
                ),
            ],
        ),
    ]
