# The business calendar's two tables move from helpdesk to core (issue 12): core takes them over in the
# migration state only; the tables keep their names (db_table), so no row moves and nothing is copied.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0007_merge_20261207_0509'),
        ('helpdesk', '0010_merge_20261207_0625'),  # the tables exist (helpdesk 0001)
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='CalendarOverride',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False,
                                                   verbose_name='ID')),
                        ('org_path', models.CharField(blank=True, help_text='Empty for all org units',
                                                      max_length=255, verbose_name='org unit path')),
                        ('day', models.DateField(verbose_name='day')),
                        ('working', models.BooleanField(verbose_name='working day')),
                        ('note', models.CharField(blank=True, max_length=120, verbose_name='note')),
                    ],
                    options={
                        'verbose_name': 'calendar override',
                        'verbose_name_plural': 'calendar overrides',
                        'db_table': 'helpdesk_calendaroverride',
                        'unique_together': {('org_path', 'day')},
                    },
                ),
                migrations.CreateModel(
                    name='WorkingHours',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False,
                                                   verbose_name='ID')),
                        ('org_path', models.CharField(max_length=255, unique=True, verbose_name='org unit path')),
                        ('sessions', models.JSONField(help_text='e.g. [["08:30","12:00"],["13:30","17:30"]]',
                                                      verbose_name='working sessions')),
                    ],
                    options={
                        'verbose_name': 'working hours',
                        'verbose_name_plural': 'working hours',
                        'db_table': 'helpdesk_workinghours',
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
