"""The staff web UI through Django's test client: language, login and lockout, permissions and scope,
and forms that refuse bad input without writing anything."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.test import Client
from django.utils import timezone, translation
from tests.conftest import PASSWORD

from kehu.core.models import AuditEvent
from kehu.customers.generators import make_uscc
from kehu.customers.models import AdmissionApplication, Customer, CustomerGroup, Document, Licence

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def zh(message) -> str:
    with translation.override("zh-hans"):
        return str(message)


def text_of(response) -> str:
    return response.content.decode()


def slot(name: str, data: dict) -> dict:
    """The POST data of a form on the customer page, where each form's fields carry its prefix."""
    return {f"{name}-{key}": value for key, value in data.items()}


# ------------------------------------------------------------------ language and login


def test_login_page_is_in_chinese_by_default(world):
    response = Client().get("/login/")
    assert response.status_code == 200
    html = text_of(response)
    assert 'lang="zh-CN"' in html
    assert "登录" in html and "用户名" in html and "密码" in html
    assert "Log in" not in html


def test_language_switch_shows_english(world):
    client = Client()
    switched = client.post("/i18n/setlang/", {"language": "en", "next": "/login/"})
    assert switched.status_code == 302
    html = text_of(client.get("/login/"))
    assert "Log in to kehu" in html and "Username" in html
    assert "登录" not in html


def test_login_with_right_password_opens_dashboard(world):
    client = Client()
    response = client.post("/login/", {"username": "bj_cm", "password": PASSWORD})
    assert response.status_code == 302 and response.url == "/"
    dashboard = client.get("/")
    assert dashboard.status_code == 200
    assert "工作台" in text_of(dashboard)
    assert AuditEvent.objects.filter(event="login_ok", actor_name="bj_cm").exists()


def test_login_with_wrong_password_says_so_and_stays_logged_out(world):
    client = Client()
    response = client.post("/login/", {"username": "bj_cm", "password": "wrong-Password-1"})
    assert response.status_code == 400
    assert "用户名或密码错误" in text_of(response)
    assert client.get("/").status_code == 302  # still sent to the login page


def test_lockout_after_five_failures_shows_locked_message_even_with_right_password(world):
    client = Client()
    for _ in range(5):
        client.post("/login/", {"username": "bj_cm", "password": "wrong-Password-1"})
    response = client.post("/login/", {"username": "bj_cm", "password": PASSWORD})
    assert response.status_code == 400
    # The lock says how long it lasts (issue 11), in Chinese.
    assert "登录失败次数过多，账户已锁定；请在30 分钟后重试。" in text_of(response)
    assert "_auth_user_id" not in client.session


def test_login_ignores_an_offsite_next(world):
    response = Client().post(
        "/login/?next=https://evil.example/",
        {"username": "bj_cm", "password": PASSWORD, "next": "https://evil.example/"},
    )
    assert response.status_code == 302 and response.url == "/"


def test_pages_need_login(world):
    for url in ("/", "/customers/", "/customers/new/", "/customers/groups/", "/audit/"):
        response = Client().get(url)
        assert response.status_code == 302 and response.url.startswith("/login/?next="), url


def test_logout_is_a_post(world):
    client = client_for(world.bj_cm)
    assert client.get("/logout/").status_code == 200  # a page with the button, still logged in
    assert client.get("/").status_code == 200
    assert client.post("/logout/").status_code == 302
    assert client.get("/").status_code == 302
    from kehu.core.models import AuditEvent

    assert AuditEvent.objects.filter(event_code=1004, actor=world.bj_cm).count() == 1


def test_post_without_csrf_token_is_refused(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.bj_cm)
    before = Customer.objects.count()
    response = client.post(
        "/customers/new/",
        {"kind": "enterprise", "name": "无令牌公司", "org_code": "BJ", "uscc": make_uscc(world.rng)},
    )
    assert response.status_code == 403
    assert Customer.objects.count() == before


def test_password_change_goes_through_the_service(world):
    client = client_for(world.bj_cm)
    weak = client.post(
        "/password/", {"old_password": PASSWORD, "new_password1": "short", "new_password2": "short"}
    )
    assert weak.status_code == 400
    response = client.post(
        "/password/",
        {
            "old_password": PASSWORD,
            "new_password1": "Neu-Passwort-2027",
            "new_password2": "Neu-Passwort-2027",
        },
    )
    assert response.status_code == 302
    world.bj_cm.refresh_from_db()
    assert world.bj_cm.check_password("Neu-Passwort-2027")
    assert AuditEvent.objects.filter(event="password_changed", object_id=str(world.bj_cm.pk)).exists()
    assert client.get("/").status_code == 200  # the session survives the change


# ------------------------------------------------------------------ pages for the right users


def test_main_pages_render_for_the_right_users(world):
    customer = world.enterprise()
    world.papers(customer)
    group = CustomerGroup.objects.create(
        code="G1", name="华鑫集团", org_unit=world.bj_office.org_unit, org_path=world.bj_office.org_unit.path
    )
    pages = [
        (world.bj_cm, "/"),
        (world.bj_cm, "/customers/"),
        (world.bj_cm, "/customers/new/"),
        (world.bj_cm, f"/customers/{customer.pk}/"),
        (world.bj_cm, "/customers/groups/"),
        (world.bj_office, f"/customers/groups/{group.pk}/"),
        (world.bj_office, f"/customers/{customer.pk}/"),
        (world.bj_dept, "/"),
        (world.hq_committee1, f"/customers/{customer.pk}/"),
        (world.bj_auditor, "/audit/"),
        (world.hq_auditor, f"/audit/?customer_id={customer.pk}"),
        (world.bj_auditor, f"/customers/{customer.pk}/"),
        (world.admin, "/"),
        (world.bj_cm, "/password/"),
    ]
    for user, url in pages:
        response = client_for(user).get(url)
        assert response.status_code == 200, (user.username, url, response.status_code)


def test_roles_without_the_permission_get_403(world):
    customer = world.enterprise()
    assert client_for(world.admin).get("/customers/").status_code == 403  # separation of duties
    # An existing customer is 404 for a user without any customer permission, like a missing one (defect 13).
    assert client_for(world.admin).get(f"/customers/{customer.pk}/").status_code == 404
    assert client_for(world.bj_cm).get("/audit/").status_code == 403
    assert client_for(world.bj_office).get("/customers/new/").status_code == 403


def test_nav_shows_audit_log_only_to_auditors(world):
    assert 'href="/audit/">审计日志</a>' in text_of(client_for(world.bj_auditor).get("/"))
    assert 'href="/audit/"' not in text_of(client_for(world.bj_cm).get("/"))


def test_bj_user_gets_404_for_a_shanghai_customer(world):
    sh_customer = world.enterprise(by=world.sh_cm)
    bj = client_for(world.bj_cm)
    assert bj.get(f"/customers/{sh_customer.pk}/").status_code == 404
    before = Licence.objects.count()
    response = bj.post(
        f"/customers/{sh_customer.pk}/licences/",
        slot("licence", {"kind": "business_licence", "number": "X1"}),
    )
    assert response.status_code == 404
    assert Licence.objects.count() == before
    assert sh_customer.pk not in [c.pk for c in bj.get("/customers/").context["rows"]]
    # The Shanghai user sees it, so the 404 is scope, not a missing row.
    assert client_for(world.sh_cm).get(f"/customers/{sh_customer.pk}/").status_code == 200


def test_own_customers_only_manager_gets_404_for_a_colleagues_customer(world):
    theirs = world.enterprise(org="BJ01")
    assert client_for(world.bj01_cm).get(f"/customers/{theirs.pk}/").status_code == 404
    mine = world.enterprise(by=world.bj01_cm)
    assert client_for(world.bj01_cm).get(f"/customers/{mine.pk}/").status_code == 200


# ------------------------------------------------------------------ customer list


def test_list_masks_personal_fields(world):
    person = world.individual(phone="13912345678")
    html = text_of(client_for(world.bj_cm).get("/customers/"))
    assert "139****5678" in html
    assert "13912345678" not in html
    assert person.id_number not in html
    assert person.id_number[:3] + "*" * 11 + person.id_number[-4:] in html


def test_search_finds_by_initials_and_exact_id_number(world):
    bank = world.enterprise(name="中国银行股份有限公司")
    person = world.individual()
    client = client_for(world.bj_cm)
    rows = client.get("/customers/", {"q": "zgyh"}).context["rows"]
    assert [c.pk for c in rows] == [bank.pk]
    rows = client.get("/customers/", {"q": person.id_number}).context["rows"]
    assert [c.pk for c in rows] == [person.pk]
    rows = client.get("/customers/", {"kind": "individual"}).context["rows"]
    assert [c.pk for c in rows] == [person.pk]


def test_list_pages_by_id_with_a_next_link(world):
    made = [world.enterprise() for _ in range(53)]
    client = client_for(world.bj_cm)
    first = client.get("/customers/")
    rows = first.context["rows"]
    assert len(rows) == 50 and rows[0].pk == made[-1].pk
    link = re.search(r'href="\?before=(\d+)"', text_of(first))
    assert link and int(link.group(1)) == rows[-1].pk
    second = client.get("/customers/", {"before": link.group(1)}).context["rows"]
    assert [c.pk for c in second] == [c.pk for c in reversed(made[:3])]
    assert 'rel="next"' not in text_of(client.get("/customers/", {"before": link.group(1)}))


# ------------------------------------------------------------------ forms


def test_bad_credit_code_rerenders_with_the_error_and_writes_nothing(world):
    client = client_for(world.bj_cm)
    good = make_uscc(world.rng)
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")
    customers, audits = Customer.objects.count(), AuditEvent.objects.count()
    response = client.post(
        "/customers/new/",
        {
            "kind": "enterprise",
            "name": "北京测试有色金属有限公司",
            "org_code": "BJ",
            "uscc": bad,
            "registered_capital_amount": "100",
        },
    )
    assert response.status_code == 400
    form = response.context["form"]
    assert form.errors["uscc"]
    assert "统一社会信用代码" in form.errors["uscc"][0]
    assert bad in text_of(response)  # the user's input is kept in the form
    assert Customer.objects.count() == customers
    assert AuditEvent.objects.count() == audits


def test_missing_name_and_bad_amount_are_shown_on_their_fields(world):
    client = client_for(world.bj_cm)
    before = Customer.objects.count()
    response = client.post(
        "/customers/new/",
        {
            "kind": "enterprise",
            "name": "",
            "org_code": "BJ",
            "uscc": make_uscc(world.rng),
            "registered_capital_amount": "1.234",
        },
    )
    assert response.status_code == 400
    assert set(response.context["form"].errors) >= {"name", "registered_capital_amount"}
    assert Customer.objects.count() == before


def test_create_enterprise_through_the_form(world):
    code = make_uscc(world.rng)
    response = client_for(world.bj_cm).post(
        "/customers/new/",
        {
            "kind": "enterprise",
            "name": "北京华鑫有色金属有限公司",
            "org_code": "BJ",
            "uscc": code,
            "legal_representative": "王伟",
            "registered_capital_amount": "50000000.00",
            "industry": "有色金属",
            "region": "北京",
            "id_number": "110105199001011234",  # hidden for enterprises: ignored
        },
    )
    assert response.status_code == 302
    customer = Customer.objects.get(uscc=code)
    assert response.url == f"/customers/{customer.pk}/"
    assert customer.manager_id == world.bj_cm.pk and customer.admission_status == "prospect"
    assert str(customer.registered_capital_amount) == "50000000.00"
    assert customer.id_number == ""
    page = text_of(client_for(world.bj_cm).get(response.url))
    assert "北京华鑫有色金属有限公司" in page and "50,000,000.00" in page and "潜在客户" in page


def test_licence_with_dates_in_the_wrong_order_writes_nothing(world):
    customer = world.enterprise()
    response = client_for(world.bj_cm).post(
        f"/customers/{customer.pk}/licences/",
        slot(
            "licence",
            {
                "kind": "business_licence",
                "number": customer.uscc,
                "valid_from": "2026-01-01",
                "valid_to": "2025-01-01",
            },
        ),
    )
    assert response.status_code == 400
    assert response.context["open_slot"] == "licence"
    assert response.context["forms"]["licence"].errors
    assert not customer.licences.exists()


def test_licence_expiry_states_are_shown(world):
    customer = world.enterprise()
    today = timezone.localdate()
    for number, valid_to in (
        ("A", today - timedelta(days=1)),
        ("B", today + timedelta(days=5)),
        ("C", today + timedelta(days=400)),
    ):
        client_for(world.bj_cm).post(
            f"/customers/{customer.pk}/licences/",
            slot(
                "licence",
                {
                    "kind": "business_licence",
                    "number": number,
                    "valid_to": valid_to.isoformat(),
                    "annual_report_ok": "on",
                },
            ),
        )
    html = text_of(client_for(world.bj_cm).get(f"/customers/{customer.pk}/"))
    assert "已过期" in html and "即将到期" in html and "有效" in html


def test_unmask_needs_a_reason_shows_clear_values_once_and_is_audited(world):
    person = world.individual(phone="13912345678")
    client = client_for(world.bj_cm)
    refused = client.post(f"/customers/{person.pk}/unmask/", slot("unmask", {"reason": "x"}))
    assert refused.status_code == 400
    assert "13912345678" not in text_of(refused)
    assert not AuditEvent.objects.filter(event="customer_unmasked").exists()
    shown = client.post(f"/customers/{person.pk}/unmask/", slot("unmask", {"reason": "客户来电核实身份"}))
    assert shown.status_code == 200
    assert "13912345678" in text_of(shown) and person.id_number in text_of(shown)
    row = AuditEvent.objects.get(event="customer_unmasked")
    assert row.reason == "客户来电核实身份" and row.actor_name == "bj_cm"
    assert "13912345678" not in text_of(client.get(f"/customers/{person.pk}/"))


def test_edit_personal_field_logs_the_change_and_asks_consent(world):
    person = world.individual(phone="13912345678")
    client = client_for(world.bj_cm)
    response = client.post(
        f"/customers/{person.pk}/edit/",
        slot("edit", {"version": person.version, "name": person.name, "phone": "13700001111"}),
    )
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.phone == "13700001111"
    html = text_of(client.get(f"/customers/{person.pk}/"))
    assert "137****1111" in html and "等待客户确认" in html
    consent = person.consents.get()
    assert (
        client.post(
            f"/customers/consents/{consent.pk}/", slot("consent", {"status": "confirmed", "channel": "phone"})
        ).status_code
        == 302
    )
    consent.refresh_from_db()
    assert consent.status == "confirmed"


def test_stale_edit_is_refused_with_409(world):
    customer = world.enterprise()
    client = client_for(world.bj_cm)
    client.post(
        f"/customers/{customer.pk}/edit/",
        slot(
            "edit",
            {"version": customer.version, "name": customer.name, "uscc": customer.uscc, "industry": "化工"},
        ),
    )
    response = client.post(
        f"/customers/{customer.pk}/edit/",
        slot(
            "edit",
            {"version": customer.version, "name": customer.name, "uscc": customer.uscc, "industry": "建材"},
        ),
    )
    assert response.status_code == 409
    customer.refresh_from_db()
    assert customer.industry == "化工"


def test_document_upload_and_download(world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    customer = world.enterprise()
    client = client_for(world.bj_cm)
    upload = SimpleUploadedFile("营业执照.pdf", b"%PDF-1.4 licence", content_type="application/pdf")
    response = client.post(
        f"/customers/{customer.pk}/documents/",
        slot("document", {"kind": "licence", "title": "营业执照副本", "file": upload}),
    )
    assert response.status_code == 302
    document = Document.objects.get(customer=customer)
    download = client.get(f"/customers/documents/{document.pk}/")
    assert download.status_code == 200 and download.content == b"%PDF-1.4 licence"
    assert "attachment" in download["Content-Disposition"]
    assert client_for(world.sh_cm).get(f"/customers/documents/{document.pk}/").status_code == 404


# ------------------------------------------------------------------ admission through the pages


def test_submit_is_blocked_until_papers_are_on_file_and_the_checklist_says_why(world):
    customer = world.enterprise()
    client = client_for(world.bj_cm)
    created = client.post(
        f"/customers/{customer.pk}/applications/",
        {
            "apply-expected_annual_volume_amount": "1000000",
            "apply-scope_attested": "on",
            "apply-q_main_products": "电解铜",
        },
    )
    assert created.status_code == 302
    application = AdmissionApplication.objects.get(customer=customer)
    html = text_of(client.get(f"/customers/{customer.pk}/"))
    assert "缺少必需的证照：营业执照" in html and "没有在档的购销合同" in html
    refused = client.post(f"/customers/applications/{application.pk}/submit/", slot("submit", {"note": ""}))
    assert refused.status_code == 409
    assert "没有在档的购销合同" in text_of(refused)
    application.refresh_from_db()
    assert application.status == "draft"
    world.papers(customer)
    assert (
        client.post(
            f"/customers/applications/{application.pk}/submit/", slot("submit", {"note": ""})
        ).status_code
        == 302
    )
    application.refresh_from_db()
    assert application.status == "submitted"


def test_the_submitter_gets_no_review_form_and_is_refused_with_403(world):
    customer = world.enterprise()
    world.papers(customer)
    application = world.submit(customer)
    client = client_for(world.bj_cm)
    assert "sales_check" not in client.get(f"/customers/{customer.pk}/").context["forms"]
    response = client.post(
        f"/customers/applications/{application.pk}/sales-check/", slot("sales_check", {"decision": "approve"})
    )
    assert response.status_code == 403
    assert "不能审批本人提交的事项" in text_of(response)
    application.refresh_from_db()
    assert application.status == "submitted"
    assert "sales_check" in client_for(world.bj_sales).get(f"/customers/{customer.pk}/").context["forms"]


def test_full_admission_through_the_pages_reaches_qualified(world):
    customer = world.enterprise()
    world.papers(customer)
    application = world.submit(customer)
    url = f"/customers/applications/{application.pk}"
    assert (
        client_for(world.bj_sales)
        .post(f"{url}/sales-check/", slot("sales_check", {"decision": "approve"}))
        .status_code
        == 302
    )
    assert (
        client_for(world.bj_office)
        .post(f"{url}/office-review/", slot("office_review", {"decision": "approve"}))
        .status_code
        == 302
    )
    dept = client_for(world.bj_dept)
    for department in ["enterprise_mgmt", "production", "finance", "audit", "safety_env"]:
        choices = [
            c
            for c, _ in dept.get(f"/customers/{customer.pk}/")
            .context["forms"]["opinion"]
            .fields["department"]
            .choices
        ]
        assert department in choices
        assert (
            dept.post(
                f"{url}/opinion/", slot("opinion", {"department": department, "opinion": "approve"})
            ).status_code
            == 302
        )
    conditional = dept.post(
        f"{url}/opinion/", slot("opinion", {"department": "finance", "opinion": "approve"})
    )
    assert conditional.status_code in (302, 400, 409)  # the round has moved on; nothing double-counts
    assert (
        client_for(world.hq_committee1)
        .post(f"{url}/vote/", slot("vote", {"decision": "approve"}))
        .status_code
        == 302
    )
    again = client_for(world.hq_committee1).post(f"{url}/vote/", slot("vote", {"decision": "approve"}))
    assert again.status_code == 409
    assert (
        client_for(world.hq_committee2)
        .post(f"{url}/vote/", slot("vote", {"decision": "approve"}))
        .status_code
        == 302
    )
    customer.refresh_from_db()
    assert customer.admission_status == "qualified"
    page = text_of(client_for(world.bj_cm).get(f"/customers/{customer.pk}/"))
    assert 'id="customer-status">合格<' in page


def test_reject_vote_needs_a_reason(world):
    customer = world.enterprise()
    application = world.to_committee(world.papers(customer) or customer)
    response = client_for(world.hq_committee1).post(
        f"/customers/applications/{application.pk}/vote/", {"decision": "reject", "comment": ""}
    )
    assert response.status_code == 400
    assert response.context["forms"]["vote"].errors
    assert not application.reviews.filter(stage="committee").exists()


def test_dashboard_inbox_counts_and_links(world):
    customer = world.enterprise()
    world.papers(customer)
    application = world.submit(customer)
    response = client_for(world.bj_sales).get("/")
    section = {s.kind: s for s in response.context["sections"]}["sales_check"]
    assert section.count == 1
    assert f"/customers/{customer.pk}/#application-{application.pk}" in text_of(response)


def test_dashboard_actions_follow_the_customers_permissions(world):
    """The quick search and the "new customer" button are customers' registered dashboard actions: a customer
    manager gets both, a committee member (may view, may not create) only the search, the system
    administrator (sees no customer data, I-11) neither."""
    manager = text_of(client_for(world.bj_cm).get("/"))
    assert 'class="quick-search"' in manager and 'href="/customers/new/"' in manager
    committee = text_of(client_for(world.hq_committee1).get("/"))
    assert 'class="quick-search"' in committee and 'href="/customers/new/"' not in committee
    admin = text_of(client_for(world.admin).get("/"))
    assert 'class="quick-search"' not in admin and 'href="/customers/new/"' not in admin


# ------------------------------------------------------------------ groups and audit


def test_office_creates_a_group_and_adds_a_member_by_credit_code(world):
    customer = world.enterprise()
    office = client_for(world.bj_office)
    response = office.post("/customers/groups/", {"code": "HX", "name": "华鑫集团", "org_code": "BJ"})
    assert response.status_code == 302
    group = CustomerGroup.objects.get(code="HX")
    added = office.post(
        f"/customers/groups/{group.pk}/members/", {"customer": customer.uscc, "relation": "subsidiary"}
    )
    assert added.status_code == 302
    assert group.memberships.filter(customer=customer).exists()
    assert (
        client_for(world.bj_cm)
        .post("/customers/groups/", {"code": "X", "name": "X", "org_code": "BJ"})
        .status_code
        == 403
    )
    assert office.post(f"/customers/groups/{group.pk}/members/{customer.pk}/remove/").status_code == 302
    assert not group.memberships.exists()


def test_audit_log_filters_by_customer_and_event_and_pages(world):
    customer = world.enterprise()
    world.papers(customer)
    client = client_for(world.bj_auditor)
    rows = client.get("/audit/", {"customer_id": customer.pk}).context["rows"]
    assert rows and all(r.customer_id == customer.pk for r in rows)
    rows = client.get("/audit/", {"event_code": 2030}).context["rows"]
    assert [r.event for r in rows] == ["licence_added"]
    today = timezone.localdate().isoformat()
    assert client.get("/audit/", {"since": today, "until": today}).context["rows"]
    bad = client.get("/audit/", {"since": today, "until": "2000-01-01"})
    assert bad.status_code == 400
    sh_customer = world.enterprise(by=world.sh_cm)
    assert not client.get("/audit/", {"customer_id": sh_customer.pk}).context["rows"]


def test_the_ui_serves_its_own_css_and_script(world):
    """Nothing comes from a CDN: the stylesheet and script are kehu's own, served by kehu."""
    html = text_of(client_for(world.bj_cm).get("/"))
    assets = re.findall(r'(?:href|src)="([^"]+\.(?:css|js|svg))"', html)
    assert {"/static/kehu/kehu.css", "/static/kehu/kehu.js"} <= set(assets)
    assert all(url.startswith("/static/") for url in assets)
    for url in assets:
        response = Client().get(url)
        assert response.status_code == 200, url
    css = b"".join(Client().get("/static/kehu/kehu.css").streaming_content).decode()
    assert '"Noto Sans CJK SC"' in css and "@import" not in css and "url(http" not in css


# ------------------------------------------------------------------ translations


SRC = Path(__file__).resolve().parents[1] / "src" / "kehu"
# The project catalogue plus each app's own (Django finds ``<app>/locale`` by itself).
CATALOGUES = sorted(SRC.glob("**/locale/zh_Hans/LC_MESSAGES/django.po"))
TEMPLATES = sorted(SRC.glob("**/templates/**/*.html"))


@pytest.mark.parametrize("po_path", CATALOGUES, ids=lambda p: str(p.relative_to(SRC)))
def test_every_message_is_translated_and_the_compiled_catalogue_matches(po_path):
    import polib

    po = polib.pofile(str(po_path))
    untranslated = [e.msgid for e in po if not e.msgstr or "fuzzy" in e.flags]
    assert untranslated == []
    # keyed by context and id: the same msgid may be translated differently in another context
    compiled = {(e.msgctxt, e.msgid): e.msgstr for e in polib.mofile(str(po_path.with_suffix(".mo")))}
    assert {(e.msgctxt, e.msgid): e.msgstr for e in po} == {k: v for k, v in compiled.items() if k[1]}


def test_every_template_string_is_in_a_catalogue():
    import polib

    assert SRC / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po" in CATALOGUES
    msgids = {e.msgid for path in CATALOGUES for e in polib.pofile(str(path)) if e.msgstr}
    pattern = re.compile(r"""{%\s*translate\s+(["'])(.+?)\1|\b_\((["'])(.+?)\3\)""")
    missing = []
    for template in TEMPLATES:
        for match in pattern.finditer(template.read_text(encoding="utf-8")):
            msgid = match.group(2) or match.group(4)
            if msgid not in msgids:
                missing.append((str(template.relative_to(SRC)), msgid))
    assert missing == []


def test_an_expired_password_leads_to_the_change_page_first(world):
    from kehu.core.models import User

    User.objects.filter(pk=world.bj_cm.pk).update(password_changed_at=timezone.now() - timedelta(days=91))
    client = Client()
    assert client.post("/login/", {"username": "bj_cm", "password": PASSWORD}).status_code == 302
    response = client.get("/customers/")
    assert response.status_code == 302 and response.url == "/password/"
    changed = client.post(
        "/password/",
        {"old_password": PASSWORD, "new_password1": "Neu-Passwort-2027", "new_password2": "Neu-Passwort-2027"},
    )
    assert changed.status_code == 302
    assert client.get("/customers/").status_code == 200


def test_sysadmin_cannot_make_themselves_superuser_or_grant_themselves_roles(world):
    from kehu.core.models import RoleAssignment

    client = Client()
    client.force_login(world.admin)
    page = client.get(f"/admin/core/user/{world.admin.pk}/change/")
    assert page.status_code == 200
    assert b'name="is_superuser"' not in page.content  # shown read-only, not as an input
    assert b"role_assignments-TOTAL_FORMS" not in page.content  # no inline for one's own roles
    before = RoleAssignment.objects.filter(user=world.admin).count()
    from kehu.core.models import OrgUnit

    response = client.post("/admin/core/roleassignment/add/", {
        "user": world.admin.pk, "role": "sysadmin", "org_unit": OrgUnit.objects.get(code="SH").pk, "department": "",
    })
    assert response.status_code == 403
    # A business role is refused even earlier: a sysadmin cannot hold one (separation of duties).
    response = client.post("/admin/core/roleassignment/add/", {
        "user": world.admin.pk, "role": "committee", "org_unit": world.admin.org_unit_id, "department": "",
    })
    assert response.status_code == 200 and "不得由同一人兼任" in response.content.decode()
    assert RoleAssignment.objects.filter(user=world.admin).count() == before
    # Granting a role to somebody else still works, unless it conflicts with their roles (issue 11, defect
    # 10: a customer manager cannot become an auditor).
    response = client.post("/admin/core/roleassignment/add/", {
        "user": world.bj_cm.pk, "role": "auditor", "org_unit": world.bj_cm.org_unit_id, "department": "",
    })
    assert response.status_code == 200 and "不得由同一人兼任" in response.content.decode()
    assert not RoleAssignment.objects.filter(user=world.bj_cm, role="auditor").exists()
    response = client.post("/admin/core/roleassignment/add/", {
        "user": world.bj_cm.pk, "role": "customer_office", "org_unit": world.bj_cm.org_unit_id, "department": "",
    })
    assert response.status_code == 302
    assert RoleAssignment.objects.filter(user=world.bj_cm, role="customer_office").exists()


def test_the_admin_user_page_refuses_conflicting_roles_in_its_inline(world):
    from kehu.core.models import RoleAssignment

    client = Client()
    client.force_login(world.admin)
    page = client.get(f"/admin/core/user/{world.bj_cm.pk}/change/")
    assert page.status_code == 200
    grant = RoleAssignment.objects.get(user=world.bj_cm)
    form = {k: v for k, v in page.context["adminform"].form.initial.items() if v is not None}
    form.update({
        "username": "bj_cm", "password": world.bj_cm.password, "date_joined_0": "2026-01-01", "date_joined_1": "00:00:00",
        "org_unit": world.bj_cm.org_unit_id, "display_name": "bj_cm", "is_active": "on",
        "role_assignments-TOTAL_FORMS": "2", "role_assignments-INITIAL_FORMS": "1",
        "role_assignments-MIN_NUM_FORMS": "0", "role_assignments-MAX_NUM_FORMS": "1000",
        "role_assignments-0-id": grant.pk, "role_assignments-0-user": world.bj_cm.pk,
        "role_assignments-0-role": "customer_manager", "role_assignments-0-org_unit": grant.org_unit_id,
        "role_assignments-1-user": world.bj_cm.pk, "role_assignments-1-role": "sysadmin",
        "role_assignments-1-org_unit": grant.org_unit_id,
    })
    for key in ("groups", "user_permissions", "last_login"):
        form.pop(key, None)
    response = client.post(f"/admin/core/user/{world.bj_cm.pk}/change/", form)
    assert response.status_code == 200 and "不得由同一人兼任" in response.content.decode()
    assert not RoleAssignment.objects.filter(user=world.bj_cm, role="sysadmin").exists()
