# CapitalBase moves from exposure to credit (issue 12, item 4): credit's B-6 cap reads it and credit is
# below exposure. Credit takes the model over in the migration state only; the table keeps its name
# (db_table), so no row moves.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('credit', '0003_line_expiry_warning'),
        ('exposure', '0001_initial'),  # the table exists
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='CapitalBase',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False,
                                                   verbose_name='ID')),
                        ('as_of', models.DateField(unique=True, verbose_name='as of')),
                        ('capital_amount', models.DecimalField(decimal_places=2, max_digits=20,
                                                               verbose_name='capital')),
                        ('net_capital_amount', models.DecimalField(decimal_places=2, max_digits=20,
                                                                   verbose_name='net capital')),
                        ('tier1_net_amount', models.DecimalField(decimal_places=2, max_digits=20,
                                                                 verbose_name='tier 1 net capital')),
                        ('currency', models.CharField(default='CNY', max_length=3, verbose_name='currency')),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('entered_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT,
                                                         related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'verbose_name': 'capital base',
                        'verbose_name_plural': 'capital bases',
                        'ordering': ['-as_of'],
                        'db_table': 'exposure_capitalbase',
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
