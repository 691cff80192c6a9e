"""Fewer indexes on the customer table: the ones no query uses are dropped (docs/grading.md, P7).

Every index of ``customers_customer`` is written by every inserted row (the import, P11) and by every update
that PostgreSQL cannot make HOT (the grading run's ``UPDATE ... SET grade``, P7). ``db_index=True`` and
``unique=True`` on a CharField give PostgreSQL a second, ``varchar_pattern_ops`` index of the column (``_like``)
for ``LIKE 'prefix%'``. The only such filter on customers is the data scope ``org_path LIKE 'path%'``; the
other twins (name, pinyin, initials, industry, region, status, grade, credit code, ID hash) serve nothing:
those columns are filtered by equality, by ``>=``/``<`` ranges (pinyin, initials, credit code), which the
plain btree answers, or by the trigram/bigram GIN indexes of 0002/0005. ``org_path`` keeps its pattern index
but loses the plain one, which the ``(org_path, admission_status)`` index already starts with.

The model now declares the plain indexes in ``Meta.indexes`` (no twin) and the two unique columns as
``UniqueConstraint`` s under the names their constraints already have. The database side is written by hand
instead of Django's ``AlterField``: that would rebuild the indexes on PostgreSQL, and on SQLite it remakes the
table, which drops the FTS5 triggers of 0003/0005. Here PostgreSQL drops the twins and renames the remaining
indexes (no rebuild); SQLite, which never had twins, only gets its indexes under the new names. The unique
constraints stay as they are on both (PostgreSQL: same name; SQLite: the table's own UNIQUE).
"""

from django.conf import settings
from django.db import migrations, models

TABLE = "customers_customer"
# column: Django's name for its plain index (db_index=True), the new name; None: no plain index kept.
PLAIN = {
    "name": ("customers_customer_name_427cefae", "customers_name_idx"),
    "name_pinyin": ("customers_customer_name_pinyin_ac0356a3", "customers_pinyin_idx"),
    "name_initials": ("customers_customer_name_initials_27649238", "customers_initials_idx"),
    "industry": ("customers_customer_industry_0d44e2e6", "customers_industry_idx"),
    "region": ("customers_customer_region_283c0d7f", "customers_region_idx"),
    "admission_status": ("customers_customer_admission_status_58c76be3", "customers_status_idx"),
    "grade": ("customers_customer_grade_c9899afd", "customers_grade_idx"),
    "org_path": ("customers_customer_org_path_9a4a0a16", None),
}
# PostgreSQL only: the varchar_pattern_ops twins that go (every twin but org_path's).
LIKE_DROPPED = {
    "name": "customers_customer_name_427cefae_like",
    "name_pinyin": "customers_customer_name_pinyin_ac0356a3_like",
    "name_initials": "customers_customer_name_initials_27649238_like",
    "industry": "customers_customer_industry_0d44e2e6_like",
    "region": "customers_customer_region_283c0d7f_like",
    "admission_status": "customers_customer_admission_status_58c76be3_like",
    "grade": "customers_customer_grade_c9899afd_like",
    "uscc": "customers_customer_uscc_1805c157_like",
    "id_number_hash": "customers_customer_id_number_hash_a2e6d584_like",
}
ORG_PATH_LIKE = ("customers_customer_org_path_9a4a0a16_like", "customers_org_path_like")


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    run = schema_editor.execute
    if vendor == "postgresql":
        for index in LIKE_DROPPED.values():
            run(f'DROP INDEX IF EXISTS "{index}"', params=None)
        for old, new in PLAIN.values():
            run(f'ALTER INDEX "{old}" RENAME TO "{new}"' if new else f'DROP INDEX "{old}"', params=None)
        run(f'ALTER INDEX "{ORG_PATH_LIKE[0]}" RENAME TO "{ORG_PATH_LIKE[1]}"', params=None)
    elif vendor == "sqlite":
        # No twins and no ALTER INDEX ... RENAME: each index is made again under its new name (for org_path
        # the Meta index, whose opclass SQLite ignores, takes the place of the old one).
        for column, (old, new) in PLAIN.items():
            run(f'DROP INDEX "{old}"', params=None)
            run(f'CREATE INDEX "{new or ORG_PATH_LIKE[1]}" ON "{TABLE}" ("{column}")', params=None)


def backward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    run = schema_editor.execute
    if vendor == "postgresql":
        run(f'ALTER INDEX "{ORG_PATH_LIKE[1]}" RENAME TO "{ORG_PATH_LIKE[0]}"', params=None)
        for column, (old, new) in PLAIN.items():
            run(f'ALTER INDEX "{new}" RENAME TO "{old}"' if new else f'CREATE INDEX "{old}" ON "{TABLE}" ("{column}")',
                params=None)
        for column, index in LIKE_DROPPED.items():
            run(f'CREATE INDEX "{index}" ON "{TABLE}" ("{column}" varchar_pattern_ops)', params=None)
    elif vendor == "sqlite":
        for column, (old, new) in PLAIN.items():
            run(f'DROP INDEX "{new or ORG_PATH_LIKE[1]}"', params=None)
            run(f'CREATE INDEX "{old}" ON "{TABLE}" ("{column}")', params=None)


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0010_merge_20261207_0853'),
        ('customers', '0006_search_scope_statistics'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunPython(forward, backward)],
            state_operations=[
                migrations.AlterField(
                    model_name='customer',
                    name='admission_status',
                    field=models.CharField(choices=[('prospect', 'Prospect'), ('in_review', 'In admission review'), ('qualified', 'Qualified'), ('active', 'Active'), ('rejected', 'Rejected'), ('terminated', 'Terminated'), ('exited', 'Exited')], default='prospect', max_length=16, verbose_name='admission status'),
                ),
                migrations.AlterField(
                    model_name='customer',
                    name='grade',
                    field=models.CharField(blank=True, max_length=1, verbose_name='grade'),
                ),
                migrations.AlterField(
                    model_name='customer',
                    name='id_number_hash',
                    field=models.CharField(blank=True, max_length=64, null=True),
                ),
                migrations.AlterField(
                    model_name='customer',
                    name='industry',
                    field=models.CharField(blank=True, max_length=100, verbose_name='industry'),
                ),
                migrations.AlterField(
                    model_name='customer',
                    name='name',
                    field=models.CharField(max_length=200, verbose_name='name'),
                ),
                migrations.AlterField(
                    model_name='customer',
                    name='name_initials',
                    field=models.CharField(blank=True, max_length=200, verbose_name='pinyin initials'),
                ),
                migrations.AlterField(
                    model_name='customer',
                    name='name_pinyin',
                    field=models.CharField(blank=True, max_length=600, verbose_name='name in pinyin'),
                ),
                migrations.AlterField(
                    model_name='customer',
                    name='org_path',
                    field=models.CharField(editable=False, max_length=1000),
                ),
                migrations.AlterField(
                    model_name='customer',
                    name='region',
                    field=models.CharField(blank=True, max_length=100, verbose_name='region'),
                ),
                migrations.AlterField(
                    model_name='customer',
                    name='uscc',
                    field=models.CharField(blank=True, max_length=18, null=True, verbose_name='unified social credit code'),
                ),
                migrations.AddIndex(
                    model_name='customer',
                    index=models.Index(fields=['org_path'], name='customers_org_path_like', opclasses=['varchar_pattern_ops']),
                ),
                migrations.AddIndex(
                    model_name='customer',
                    index=models.Index(fields=['name'], name='customers_name_idx'),
                ),
                migrations.AddIndex(
                    model_name='customer',
                    index=models.Index(fields=['name_pinyin'], name='customers_pinyin_idx'),
                ),
                migrations.AddIndex(
                    model_name='customer',
                    index=models.Index(fields=['name_initials'], name='customers_initials_idx'),
                ),
                migrations.AddIndex(
                    model_name='customer',
                    index=models.Index(fields=['industry'], name='customers_industry_idx'),
                ),
                migrations.AddIndex(
                    model_name='customer',
                    index=models.Index(fields=['region'], name='customers_region_idx'),
                ),
                migrations.AddIndex(
                    model_name='customer',
                    index=models.Index(fields=['admission_status'], name='customers_status_idx'),
                ),
                migrations.AddIndex(
                    model_name='customer',
                    index=models.Index(fields=['grade'], name='customers_grade_idx'),
                ),
                migrations.AddConstraint(
                    model_name='customer',
                    constraint=models.UniqueConstraint(fields=('uscc',), name='customers_customer_uscc_key'),
                ),
                migrations.AddConstraint(
                    model_name='customer',
                    constraint=models.UniqueConstraint(fields=('id_number_hash',), name='customers_customer_id_number_hash_key'),
                ),
            ],
        ),
    ]
