"""staff 0001_initial, as one change of the migration state (docs/migrations.md): the same tables, created
through CreateModels, which renders the migration state once instead of once per model.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from kehu.core.migration_operations import CreateModels


class Migration(migrations.Migration):

    replaces = [
        ('staff', '0001_initial'),
    ]

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        CreateModels(
            operations=[
                migrations.CreateModel(
                    name='MeasurementNotice',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('period', models.DateField(unique=True, verbose_name='period')),
                        ('content', models.JSONField(verbose_name='content')),
                        ('published_at', models.DateTimeField(verbose_name='published at')),
                    ],
                    options={
                        'verbose_name': 'measurement notice',
                        'verbose_name_plural': 'measurement notices',
                    },
                ),
                migrations.CreateModel(
                    name='Interview',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('period', models.DateField(verbose_name='period')),
                        ('org_path', models.CharField(db_index=True, max_length=255, verbose_name='org unit path')),
                        ('total', models.DecimalField(decimal_places=2, max_digits=5, verbose_name='total')),
                        ('due_on', models.DateField(verbose_name='due on')),
                        ('notes', models.TextField(blank=True, verbose_name='interview notes')),
                        ('follow_up_on', models.DateField(blank=True, null=True, verbose_name='follow-up date')),
                        ('held_at', models.DateTimeField(blank=True, null=True, verbose_name='held at')),
                        ('held_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='held by')),
                        ('user', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='employee')),
                    ],
                    options={
                        'verbose_name': 'improvement interview',
                        'verbose_name_plural': 'improvement interviews',
                        'constraints': [models.UniqueConstraint(fields=('user', 'period'), name='staff_interview_once')],
                    },
                ),
                migrations.CreateModel(
                    name='ManagerMark',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('period', models.DateField(verbose_name='period')),
                        ('attitude', models.PositiveSmallIntegerField(verbose_name='service attitude')),
                        ('process', models.PositiveSmallIntegerField(verbose_name='process compliance')),
                        ('security_violations', models.PositiveSmallIntegerField(default=0, verbose_name='information-security violations')),
                        ('training_done', models.BooleanField(default=True, verbose_name='security training done')),
                        ('note', models.TextField(blank=True, verbose_name='note')),
                        ('marked_at', models.DateTimeField(verbose_name='marked at')),
                        ('by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='marked by')),
                        ('user', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='employee')),
                    ],
                    options={
                        'verbose_name': "manager's mark",
                        'verbose_name_plural': "manager's marks",
                        'constraints': [models.UniqueConstraint(fields=('user', 'period'), name='staff_manager_mark_once')],
                    },
                ),
                migrations.CreateModel(
                    name='Scorecard',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('period', models.DateField(db_index=True, verbose_name='period')),
                        ('org_path', models.CharField(db_index=True, max_length=255, verbose_name='org unit path')),
                        ('attitude', models.DecimalField(decimal_places=2, max_digits=5, null=True, verbose_name='service attitude')),
                        ('process', models.DecimalField(decimal_places=2, max_digits=5, null=True, verbose_name='process compliance')),
                        ('quality', models.DecimalField(decimal_places=2, max_digits=5, null=True, verbose_name='service quality')),
                        ('infosec', models.DecimalField(decimal_places=2, max_digits=5, null=True, verbose_name='information security')),
                        ('total', models.DecimalField(db_index=True, decimal_places=2, max_digits=5, null=True, verbose_name='total')),
                        ('complete', models.BooleanField(default=False, verbose_name='complete')),
                        ('detail', models.JSONField(default=dict, verbose_name='explanation')),
                        ('computed_at', models.DateTimeField(verbose_name='computed at')),
                        ('user', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='employee')),
                    ],
                    options={
                        'verbose_name': 'scorecard',
                        'verbose_name_plural': 'scorecards',
                        'constraints': [models.UniqueConstraint(fields=('user', 'period'), name='staff_scorecard_once')],
                    },
                ),
                migrations.CreateModel(
                    name='SelfAssessment',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('period', models.DateField(verbose_name='period')),
                        ('attitude', models.PositiveSmallIntegerField(verbose_name='service attitude')),
                        ('process', models.PositiveSmallIntegerField(verbose_name='process compliance')),
                        ('note', models.TextField(blank=True, verbose_name='note')),
                        ('submitted_at', models.DateTimeField(verbose_name='submitted at')),
                        ('user', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='employee')),
                    ],
                    options={
                        'verbose_name': 'self-assessment',
                        'verbose_name_plural': 'self-assessments',
                        'constraints': [models.UniqueConstraint(fields=('user', 'period'), name='staff_self_assessment_once')],
                    },
                ),
            ],
        ),
    ]
