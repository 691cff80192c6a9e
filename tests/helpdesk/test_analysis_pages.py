from datetime import date

import pytest
from django.test import Client
from django.utils import timezone

from kehu.helpdesk import analysis, services
from kehu.helpdesk.models import ComplaintCategory, KnowledgeArticle, Ticket

pytestmark = pytest.mark.django_db
PASSWORD = "Kehu-test-2026"


def login(world, name):
    c = Client()
    assert c.login(username=name, password=PASSWORD)
    return c


@pytest.fixture(autouse=True)
def categories():
    """The analysis tests use their own category names (the managed list is seeded with the Chinese ones)."""
    for name in ("delivery", "quality"):
        ComplaintCategory.objects.get_or_create(name=name)


def test_monthly_breakdown_and_repeats(hworld):
    w = hworld
    c1, c2 = w.enterprise(), w.enterprise()
    now = timezone.now()
    for cust, cat in [(c1, "delivery"), (c1, "delivery"), (c2, "quality")]:
        services.ticket_open(actor=w.bj_agent, customer_id=cust.pk, kind="complaint", subject="s", category=cat,
                             now=now)
    services.ticket_open(actor=w.bj_agent, customer_id=c2.pk, kind="enquiry", subject="s", category="delivery", now=now)
    qs = Ticket.objects.all()
    month = timezone.localdate(now)
    assert analysis.monthly_breakdown(qs, month=month, dimension="category") == [("delivery", 2), ("quality", 1)]
    assert analysis.repeat_complaints(qs, window_days=90, threshold=2, on=now) == [(c1.pk, "delivery", 2)]
    assert analysis.monthly_breakdown(qs, month=date(2001, 1, 1), dimension="product") == []
    svg = analysis.bar_chart_svg([("delivery", 2)], "category")
    assert svg.startswith("<svg") and "</svg>" in svg


def test_pages_and_scope(hworld):
    w = hworld
    t = services.ticket_open(actor=w.bj_agent, customer_id=w.enterprise().pk, kind="complaint", subject="Broken seal",
                             category="quality")
    KnowledgeArticle.objects.create(title="Returns policy", body="Within 7 days", tags="return")
    c = login(w, "bj_agent")
    r = c.get("/helpdesk/")
    assert r.status_code == 200 and b"Broken seal" in r.content
    r = c.get(f"/helpdesk/{t.pk}/")
    assert r.status_code == 200 and b'id="sla-remaining"' in r.content
    r = c.get("/helpdesk/analysis/")
    assert r.status_code == 200 and b"<svg" in r.content
    assert c.get("/helpdesk/analysis/?month=bogus").status_code == 404
    r = c.get("/helpdesk/knowledge/?q=returns")
    assert b"Within 7 days" in r.content
    assert login(w, "sh_agent").get(f"/helpdesk/{t.pk}/").status_code == 404
    assert b"Broken seal" not in login(w, "sh_agent").get("/helpdesk/").content
    assert login(w, "admin").get("/helpdesk/").status_code == 403


def test_categories_come_from_the_managed_list(hworld):
    """A category is chosen from the list (seeded with the existing ones, edited in the admin): a variant
    spelling is refused instead of splitting the analysis; the create page offers the list."""
    from kehu.core.errors import InvalidInput

    w = hworld
    assert set(ComplaintCategory.objects.values_list("name", flat=True)) >= {"质量问题", "到货延迟", "开票差错"}
    with pytest.raises(InvalidInput) as refused:
        services.ticket_open(actor=w.bj_agent, customer_id=w.enterprise().pk, kind="complaint", subject="s",
                             category="质量")
    assert refused.value.code == "unknown_category"
    t = services.ticket_open(actor=w.bj_agent, customer_id=w.enterprise().pk, kind="complaint", subject="s",
                             category="质量问题")
    assert t.category == "质量问题"
    ComplaintCategory.objects.filter(name="质量问题").update(active=False)
    with pytest.raises(InvalidInput):
        services.ticket_open(actor=w.bj_agent, customer_id=w.enterprise().pk, kind="complaint", subject="s",
                             category="质量问题")
    html = login(w, "bj_agent").get("/helpdesk/new/").content.decode()
    assert '<select id="id_category" name="category">' in html and "到货延迟" in html and ">质量问题<" not in html


def test_repeat_complaints_follow_the_parameters(hworld):
    """The analysis page's repeat-complaint period and count are rule parameters, not numbers in the view."""
    from datetime import timedelta

    from kehu.core.models import RuleParameter

    w = hworld
    customer = w.enterprise()
    for _ in range(2):
        services.ticket_open(actor=w.bj_agent, customer_id=customer.pk, kind="complaint", subject="s",
                             category="delivery")
    c = login(w, "bj_agent")
    repeats = c.get("/helpdesk/analysis/").content.decode().split("<h2>重复投诉", 1)[1]
    assert repeats.startswith("（90天内至少2次）</h2>")
    assert "<td>delivery</td><td>2</td>" in repeats
    RuleParameter.objects.create(code="service.repeat_complaint_threshold", value=3, status="approved",
                                 effective_from=timezone.localdate() - timedelta(days=1), approved_at=timezone.now())
    repeats = c.get("/helpdesk/analysis/").content.decode().split("<h2>重复投诉", 1)[1]
    assert repeats.startswith("（90天内至少3次）</h2>")
    assert "<td>delivery</td>" not in repeats
