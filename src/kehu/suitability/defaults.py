"""The first risk questionnaire (version Q2017-1): five questions scored 0-4, banded into C1..C5 with the
lowest category at the bottom of C1 (M-4, M-10). Seeded by migration 0002; later versions are added as new
rows (admin), and assessments keep the version they were answered on. Plain data only: the migration
imports it."""

OPTIONS = ["a", "b", "c", "d", "e"]
QUESTIONS = [
    ("experience", "您的证券、基金等投资经验有多长时间？", ["没有经验", "1年以内", "1至3年", "3至5年", "5年以上"]),
    ("income", "您的家庭年收入约为多少？", ["10万元以下", "10万至30万元", "30万至50万元", "50万至100万元", "100万元以上"]),
    ("loss", "您能承受的最大投资亏损是多少？", ["不能承受亏损", "10%以内", "10%至30%", "30%至50%", "50%以上"]),
    ("goal", "您的投资目标是什么？", ["保持本金稳定", "稳定增值", "收益与风险平衡", "追求较高收益", "追求高收益，可承受大幅波动"]),
    ("horizon", "您计划的投资期限是多长？", ["1年以内", "1至3年", "3至5年", "5至10年", "10年以上"]),
]
BANDS = {"lowest_max": 2, "C1": 5, "C2": 9, "C3": 13, "C4": 16}
VERSION = "Q2017-1"


def ensure_default_questionnaire(model) -> None:
    """Create the default questionnaire if it is missing (``model`` is the real or the historical model)."""
    questions = [{"code": code, "text": text,
                  "options": [{"code": OPTIONS[i], "text": label, "score": i} for i, label in enumerate(labels)]}
                 for code, text, labels in QUESTIONS]
    model.objects.get_or_create(version=VERSION, defaults={
        "title": "投资者风险承受能力评估问卷", "questions": questions, "bands": BANDS, "active": True})
