# Trade credit's models now belong to kehu.tradecredit (its 0001 took them over in the migration state);
# trade lets go of them in the state only: the tables and their rows stay.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('trade', '0003_prepaid_orders'),
        ('tradecredit', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name='LimitChange'),
                migrations.DeleteModel(name='CreditLimit'),
                migrations.DeleteModel(name='CreditAccount'),
            ],
            database_operations=[],
        ),
    ]
