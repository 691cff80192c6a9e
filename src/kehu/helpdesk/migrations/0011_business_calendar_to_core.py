# The business calendar's models now belong to core (core 0008 took them over in the migration state);
# helpdesk lets go of them in the state only: the tables and their rows stay.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('helpdesk', '0010_merge_20261207_0625'),
        ('core', '0008_business_calendar'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name='CalendarOverride'),
                migrations.DeleteModel(name='WorkingHours'),
            ],
            database_operations=[],
        ),
    ]
