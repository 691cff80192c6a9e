# CapitalBase now belongs to credit (credit 0004 took it over in the migration state); exposure lets go
# of it in the state only: the table and its rows stay.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('exposure', '0001_initial'),
        ('credit', '0004_capital_base'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name='CapitalBase')],
            database_operations=[],
        ),
    ]
