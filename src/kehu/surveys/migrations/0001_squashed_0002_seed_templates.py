"""surveys 0001-0002, squashed (docs/migrations.md): a fresh database gets the tables in their final form.

Kept: the three survey templates of 0002_seed_templates.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from kehu.core.migration_operations import CreateModels


from django.utils import timezone

TEMPLATES = [
    ("visit", "来访满意度调查", "感谢您近日到访。请对本次接待作出评价。", [
        {"key": "overall", "type": "scale", "text": "您对本次来访接待的总体满意度如何？"},
        {"key": "reception", "type": "scale", "text": "接待人员的服务态度和礼仪"},
        {"key": "arrangement", "type": "scale", "text": "预约、登记和会谈安排是否顺畅"},
        {"key": "comment", "type": "text", "text": "您还有什么意见或建议？"},
    ]),
    ("service", "客户服务满意度调查", "您的问题已处理完毕。请对本次服务作出评价。", [
        {"key": "overall", "type": "scale", "text": "您对本次服务的总体满意度如何？"},
        {"key": "speed", "type": "scale", "text": "答复和处理是否及时"},
        {"key": "result", "type": "scale", "text": "处理结果是否解决了您的问题"},
        {"key": "comment", "type": "text", "text": "您还有什么意见或建议？"},
    ]),
    ("relationship", "季度客户关系满意度调查", "感谢您一直以来的合作。请对本季度我们的整体服务作出评价。", [
        {"key": "overall", "type": "scale", "text": "您对我们本季度整体服务的满意度如何？"},
        {"key": "manager", "type": "scale", "text": "客户经理的专业能力与沟通"},
        {"key": "recommend", "type": "scale", "text": "您向同行推荐我们的意愿"},
        {"key": "comment", "type": "text", "text": "您还有什么意见或建议？"},
    ]),
]


def seed(apps, schema_editor):
    SurveyTemplate = apps.get_model("surveys", "SurveyTemplate")
    for code, title, intro, questions in TEMPLATES:
        if not SurveyTemplate.objects.filter(code=code).exists():
            SurveyTemplate.objects.create(code=code, version=1, title=title, intro=intro, questions=questions,
                                          created_at=timezone.now())


class Migration(migrations.Migration):

    replaces = [
        ('surveys', '0001_initial'),
        ('surveys', '0002_seed_templates'),
    ]

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ('customers', '0003_search_fts'),
        ('helpdesk', '0008_dissatisfaction_followup'),
        ('outbox', '0001_initial'),
        ('reception', '0001_initial'),
    ]

    operations = [
        CreateModels(
            operations=[
                migrations.CreateModel(
                    name='Invitation',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('source_key', models.CharField(max_length=80, unique=True)),
                        ('trigger', models.CharField(choices=[('visit', 'Visit'), ('complaint', 'Complaint'), ('online', 'Online service'), ('relationship', 'Quarterly relationship survey')], db_index=True, max_length=16, verbose_name='trigger')),
                        ('org_path', models.CharField(db_index=True, max_length=255, verbose_name='org unit path')),
                        ('team', models.CharField(blank=True, max_length=120, verbose_name='team')),
                        ('customer_grade', models.CharField(blank=True, max_length=1, verbose_name='customer grade')),
                        ('sent_at', models.DateTimeField(db_index=True, verbose_name='sent at')),
                        ('expires_at', models.DateTimeField(verbose_name='expires at')),
                        ('answered_at', models.DateTimeField(blank=True, null=True, verbose_name='answered at')),
                        ('customer', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='customers.customer', verbose_name='customer')),
                        ('link', models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='outbox.signedlink')),
                        ('message', models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='outbox.message')),
                        ('staff_user', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='staff member rated')),
                        ('ticket', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='helpdesk.ticket')),
                        ('visit', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='reception.visit')),
                        ('template', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='invitations', to='surveys.surveytemplate', verbose_name='template')),
                    ],
                    options={
                        'verbose_name': 'survey invitation',
                        'verbose_name_plural': 'survey invitations',
                    },
                ),
                migrations.CreateModel(
                    name='Answer',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('answered_at', models.DateTimeField(verbose_name='answered at')),
                        ('answers', models.JSONField(verbose_name='answers')),
                        ('overall', models.PositiveSmallIntegerField(db_index=True, verbose_name='overall score')),
                        ('lowest', models.PositiveSmallIntegerField(verbose_name='lowest score')),
                        ('comment', models.TextField(blank=True, verbose_name='comment')),
                        ('follow_up', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='helpdesk.ticket', verbose_name='follow-up case')),
                        ('invitation', models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name='answer', to='surveys.invitation')),
                    ],
                    options={
                        'verbose_name': 'survey answer',
                        'verbose_name_plural': 'survey answers',
                    },
                ),
                migrations.CreateModel(
                    name='SurveyTemplate',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('code', models.SlugField(max_length=40, verbose_name='code')),
                        ('version', models.PositiveIntegerField(verbose_name='version')),
                        ('title', models.CharField(max_length=200, verbose_name='title')),
                        ('intro', models.TextField(blank=True, verbose_name='introduction')),
                        ('questions', models.JSONField(verbose_name='questions')),
                        ('created_at', models.DateTimeField(verbose_name='created at')),
                        ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='published by')),
                    ],
                    options={
                        'verbose_name': 'survey template',
                        'verbose_name_plural': 'survey templates',
                        'constraints': [models.UniqueConstraint(fields=('code', 'version'), name='survey_template_version_unique')],
                    },
                ),
            ],
        ),
        migrations.RunPython(seed, migrations.RunPython.noop),
    ]
