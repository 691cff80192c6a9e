"""Customer.pi_restricted (PIPL Art.47, domain spec PI-9), set by kehu.privacy.

On SQLite, Django adds a NOT NULL column by rebuilding the table, which would drop the full-text-search
triggers of 0003_search_fts; the column is added with ALTER TABLE there instead (a constant default makes
that possible), and with Django's own operation on PostgreSQL. No index: restricted records are rare, and an
index on the flag drew the planner away from the search indexes (tests/bulk/test_search_plans.py).
"""

from django.db import migrations, models


def _field(model):
    # The historical model of a database operation inside SeparateDatabaseAndState does not have the field
    # yet: build it as the state operation does.
    field = models.BooleanField(db_default=False, default=False)
    field.contribute_to_class(model, "pi_restricted")
    return field


def add_column(apps, schema_editor):
    model = apps.get_model("customers", "Customer")
    field = _field(model)
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute('ALTER TABLE "customers_customer" ADD COLUMN "pi_restricted" bool DEFAULT 0 NOT NULL')
    else:
        schema_editor.add_field(model, field)


def drop_column(apps, schema_editor):
    model = apps.get_model("customers", "Customer")
    schema_editor.remove_field(model, _field(model))


class Migration(migrations.Migration):

    dependencies = [
        ("customers", "0003_search_fts"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AddField(
                    model_name="customer",
                    name="pi_restricted",
                    field=models.BooleanField(db_default=False, default=False,
                                              verbose_name="restricted (legal hold)"),
                ),
            ],
            database_operations=[migrations.RunPython(add_column, drop_column)],
        ),
    ]
