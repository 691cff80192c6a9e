from django.db import migrations
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
    dependencies = [("surveys", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
