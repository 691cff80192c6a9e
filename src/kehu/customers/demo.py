"""Demo data: a small nonferrous-metals group with two branches, its staff and about 200 customers.

Everything is created through the services, exactly as users would create it, so the demo data
passes every rule, has its audit trail and exercises the same code paths. The source company is a
lead-zinc-silver producer in Hunan (S9), hence the products and the 衡阳 branch.

Identifiers are generated with correct check characters (``kehu.customers.generators``); dates are
relative to today, so there are always licences that expire soon and licences that have expired.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from kehu.core import services as core_services
from kehu.core.audit import seal_at_end
from kehu.core.models import Department, OrgUnit, Role, User
from kehu.customers import services
from kehu.customers.generators import (
    REGIONS,
    SURNAMES,
    make_address,
    make_company,
    make_mobile,
    make_person_name,
    make_resident_id,
    make_uscc,
)
from kehu.customers.models import (
    AdmissionApplication,
    ConsentRecord,
    ConsentStatus,
    Contact,
    CooperationAgreement,
    Customer,
    CustomerGroup,
    Document,
    GroupMembership,
    Licence,
    SalesContract,
)
from kehu.customers.rules import pinyin_keys

# One password for every demo login, printed by `kehu demo`. It meets the password validators
# (length >= 8, three character classes) so that the demo shows the real login rules.
DEMO_PASSWORD = "Kehu-Demo-2026"

ORG_UNITS = [
    ("HQ", "集团总部", None),
    ("BJ", "北京分公司", "HQ"),
    ("HY", "衡阳分公司", "HQ"),
    ("HY01", "衡阳珠晖营业部", "HY"),
]
BRANCHES = ("BJ", "HY")
# Regions whose codes and addresses each branch's customers get.
BRANCH_REGIONS = {
    "BJ": ["110105", "110108", "310115", "330106"],
    "HY": ["430406", "440305", "510107"],
    "HY01": ["430406"],
}
REGION_NAMES = {
    "110105": "北京市", "110108": "北京市", "310115": "上海市", "310104": "上海市", "440305": "广东省深圳市",
    "430406": "湖南省衡阳市", "330106": "浙江省杭州市", "510107": "四川省成都市",
}
PRODUCTS = ["电解铅", "电解锌", "锌锭", "铅锭", "白银", "黄金", "硫酸", "氧化锌", "锌合金", "铋锭"]
BANKS = ["中国工商银行衡阳分行", "中国建设银行北京朝阳支行", "中国农业银行衡阳珠晖支行", "招商银行北京分行",
         "长沙银行衡阳分行"]
FINANCIAL_INSTITUTIONS = ["衡阳农村商业银行股份有限公司", "长沙银行股份有限公司衡阳分行", "湖南银行股份有限公司衡阳分行",
                          "北京农村商业银行股份有限公司朝阳支行", "衡阳市融资担保有限公司", "湖南省有色金属供应链金融有限公司"]
SHOPS = ["五金经营部", "废旧金属回收站", "建材商行", "电池配件店", "金属材料门市部"]
OCCUPATIONS = ["个体工商户", "贸易经纪人", "废旧金属回收商", "工程承包人", "首饰加工作坊主"]
TITLES = ["采购经理", "财务总监", "总经理", "销售主管", "供应链部长"]
CAPITALS = [Decimal(n) * 10000 for n in (100, 300, 500, 1000, 2000, 5000, 8000, 10000, 30000, 50000)]

# How many customers end in each state, and of which kind (about 200 in all).
# A full review is a dozen service calls, so the admitted share is kept modest to load in seconds.
FATES = {
    "prospect": 60, "draft": 12, "submitted": 12, "sales_checked": 10, "office_reviewed": 10,
    "opinions_complete": 10, "returned": 8, "rejected": 8, "qualified": 30, "active": 38,
    "terminated": 1, "exited": 1,
}
KINDS = {"enterprise": 160, "individual": 24, "financial_institution": 6, "scattered": 10}
# Fates in which the customer went through submission, so its papers must be in order.
SUBMITTED_FATES = set(FATES) - {"prospect", "draft"}

DEPARTMENTS = list(Department.values)


@dataclass(frozen=True)
class DemoLogin:
    username: str
    display_name: str
    org_code: str
    roles: tuple[str, ...]
    note: str = ""


@dataclass
class DemoSummary:
    created: bool
    password: str
    logins: list[DemoLogin]
    counts: dict[str, int] = field(default_factory=dict)


def _logins() -> list[DemoLogin]:
    logins: list[DemoLogin] = []
    for branch in BRANCHES:
        b = branch.lower()
        logins += [
            DemoLogin(f"{b}_cm1", "", branch, (Role.CUSTOMER_MANAGER.value,),
                      "submits applications; requests credit lines and draws on them"),
            DemoLogin(f"{b}_cm2", "", branch, (Role.CUSTOMER_MANAGER.value,), "sales pre-check"),
            DemoLogin(f"{b}_office", "", branch, (Role.CUSTOMER_OFFICE.value,), "office review, groups"),
            DemoLogin(f"{b}_dept", "", branch, (Role.DEPT_REVIEWER.value,), "all five departments"),
            DemoLogin(f"{b}_auditor", "", branch, (Role.AUDITOR.value,), "read-only, audit log"),
        ]
    logins.append(DemoLogin("hy01_cm", "", "HY01", (Role.CUSTOMER_MANAGER.value,), "own customers only"))
    logins += [
        DemoLogin(f"hq_committee{i}", "", "HQ", (Role.COMMITTEE.value,), "committee (quorum 2)") for i in (1, 2, 3)
    ]
    logins.append(DemoLogin("hq_auditor", "", "HQ", (Role.AUDITOR.value,), "read-only, audit log"))
    logins.append(DemoLogin("admin", "", "HQ", (Role.SYSADMIN.value,), "users, org units, Django admin"))
    return logins


def demo_logins() -> list[DemoLogin]:
    """Return the demo logins with their display names as stored (after a load)."""
    names = dict(User.objects.filter(username__in=[x.username for x in _logins()]).values_list("username",
                                                                                                 "display_name"))
    return [
        DemoLogin(x.username, names.get(x.username, ""), x.org_code, x.roles, x.note)
        for x in _logins() if x.username in names
    ]


def demo_counts() -> dict[str, int]:
    """Return what is in the database, for the CLI's summary and the idempotence test."""
    today = timezone.localdate()
    counts: dict[str, int] = {
        "org_units": OrgUnit.objects.count(),
        "users": User.objects.count(),
        "customers": Customer.objects.count(),
        "contacts": Contact.objects.count(),
        "licences": Licence.objects.count(),
        "licences_expired": Licence.objects.filter(valid_to__lt=today).count(),
        "licences_expiring_30d": Licence.objects.filter(valid_to__gte=today,
                                                        valid_to__lte=today + timedelta(days=30)).count(),
        "contracts": SalesContract.objects.count(),
        "agreements": CooperationAgreement.objects.count(),
        "documents": Document.objects.count(),
        "groups": CustomerGroup.objects.count(),
        "group_members": GroupMembership.objects.count(),
        "applications": AdmissionApplication.objects.count(),
        "consents_pending": ConsentRecord.objects.filter(status=ConsentStatus.PENDING).count(),
    }
    for kind, n in Counter(Customer.objects.values_list("kind", flat=True)).items():
        counts[f"customers_{kind}"] = n
    for status, n in Counter(Customer.objects.values_list("admission_status", flat=True)).items():
        counts[f"customers_{status}"] = n
    for status, n in Counter(AdmissionApplication.objects.values_list("status", flat=True)).items():
        counts[f"applications_{status}"] = n
    return counts


class _Builder:
    """Holds the generator state while one demo load runs."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.today = timezone.localdate()
        self.users: dict[str, User] = {}
        self.used_names: set[str] = set()
        self.used_codes: set[str] = set()
        self.seq = Counter()

    # ------------------------------------------------------------ people and places

    def number(self, prefix: str) -> str:
        self.seq[prefix] += 1
        return f"{prefix}-{self.today.year}-{self.seq[prefix]:04d}"

    def days_ago(self, low: int, high: int) -> date:
        return self.today - timedelta(days=self.rng.randint(low, high))

    def unique(self, make: Callable[[], str], used: set[str]) -> str:
        while True:
            value = make()
            if value not in used:
                used.add(value)
                return value

    def email_for(self, name: str) -> str:
        return pinyin_keys(name)[0][:20] + f"{self.rng.randrange(10, 99)}@example.cn"

    def build_org(self) -> None:
        for code, name, parent in ORG_UNITS:
            core_services.org_unit_create(code=code, name=name, parent_code=parent, actor=None)
        for login in _logins():
            department = DEPARTMENTS[0] if Role.DEPT_REVIEWER in login.roles else ""
            user = core_services.user_create(
                username=login.username, org_code=login.org_code, roles=list(login.roles), password=DEMO_PASSWORD,
                display_name=make_person_name(self.rng), department=department,
                own_customers_only=login.note == "own customers only", actor=None,
            )
            # One reviewer speaks for all five departments, so a single login can walk the demo through.
            for extra in DEPARTMENTS[1:] if department else []:
                core_services.role_grant(user=user, role=Role.DEPT_REVIEWER, org_code=login.org_code,
                                         department=extra, actor=None)
            self.users[login.username] = user

    # ------------------------------------------------------------ one customer

    def staff(self, org: str) -> dict[str, User]:
        branch = "HY" if org == "HY01" else org
        b = branch.lower()
        return {
            "submitter": self.users["hy01_cm"] if org == "HY01" else self.users[f"{b}_cm1"],
            "sales": self.users[f"{b}_cm2"],
            "office": self.users[f"{b}_office"],
            "dept": self.users[f"{b}_dept"],
        }

    def create_customer(self, kind: str, org: str, by: User) -> Customer:
        rng = self.rng
        region = rng.choice(BRANCH_REGIONS[org])
        common = {"actor": by, "kind": kind, "org_code": org, "region": REGION_NAMES[region],
                  "address": make_address(rng, region)}
        if kind == "enterprise":
            while True:
                name, trade, _code = make_company(rng)
                if name not in self.used_names:
                    self.used_names.add(name)
                    break
            return services.customer_create(
                **common, name=name, uscc=self.unique(lambda: make_uscc(rng, region), self.used_codes),
                legal_representative=make_person_name(rng), registered_capital_amount=rng.choice(CAPITALS),
                industry=trade, business_scope=f"{trade}产品的生产、加工与销售；{rng.choice(PRODUCTS)}的采购与销售",
                phone=f"0734-{rng.randrange(1000000, 9999999)}" if org != "BJ" else f"010-{rng.randrange(10**7, 10**8)}",
            )
        if kind == "financial_institution":
            name = self.unique(lambda: rng.choice(FINANCIAL_INSTITUTIONS), self.used_names)
            return services.customer_create(
                **common, name=name, uscc=self.unique(lambda: make_uscc(rng, region), self.used_codes),
                legal_representative=make_person_name(rng), registered_capital_amount=rng.choice(CAPITALS[-4:]),
                industry="金融业", business_scope="吸收公众存款；发放短期、中期和长期贷款；办理国内结算",
            )
        if kind == "individual":
            return services.customer_create(
                **common, name=make_person_name(rng),
                id_number=self.unique(lambda: make_resident_id(rng, region), self.used_codes),
                phone=make_mobile(rng), occupation=rng.choice(OCCUPATIONS),
            )
        # A scattered buyer (零散用户): a small shop buying now and then, without a contract.
        name = self.unique(
            lambda: REGIONS[region][-3:] + rng.choice(SURNAMES) + "记" + rng.choice(SHOPS), self.used_names
        )
        return services.customer_create(**common, name=name, phone=make_mobile(rng))

    def add_contacts(self, customer: Customer, by: User) -> None:
        for i in range(self.rng.choice([1, 1, 2])):
            name = make_person_name(self.rng)
            services.contact_add(actor=by, customer_id=customer.pk, name=name, title=self.rng.choice(TITLES),
                                 phone=make_mobile(self.rng), email=self.email_for(name), is_primary=i == 0)

    def add_licences(self, customer: Customer, by: User, *, expired_required: bool, expiring: bool,
                     expired_permit: bool) -> None:
        if not customer.is_entity:
            return
        rng = self.rng
        issued = self.days_ago(400, 4000)
        if expired_required:
            valid_to: date | None = self.days_ago(3, 300)
        elif expiring:
            valid_to = self.today + timedelta(days=rng.randint(1, 29))
        else:
            # Most business licences since 三证合一 are long-term (长期): no end date.
            valid_to = rng.choice([None, None, None, self.today + timedelta(days=rng.randint(400, 3000))])
        city = customer.region.split("省")[-1]
        services.licence_add(actor=by, customer_id=customer.pk, kind="business_licence", number=customer.uscc,
                             issuer=city + "市场监督管理局", valid_from=issued, valid_to=valid_to)
        if customer.kind == "financial_institution":
            services.licence_add(
                actor=by, customer_id=customer.pk, kind="financial_licence",
                number=f"B{rng.randrange(1000, 9999)}H{customer.uscc[2:8]}{rng.randrange(1000, 9999)}",
                issuer="国家金融监督管理总局衡阳监管分局", valid_from=issued,
            )
        if customer.industry in ("化工", "冶炼", "矿业", "有色金属") or expired_permit:
            permit_to = self.days_ago(5, 200) if expired_permit else self.today + timedelta(days=rng.randint(60, 1000))
            services.licence_add(actor=by, customer_id=customer.pk, kind=rng.choice(["safety_permit",
                                                                                       "environmental_permit"]),
                                 number=f"(湘)WH安许证字[{issued.year}]{rng.randrange(100, 999)}",
                                 issuer="应急管理厅", valid_from=issued, valid_to=permit_to)

    def add_contract(self, customer: Customer, by: User) -> None:
        if customer.kind == "scattered":
            return
        signed = self.days_ago(10, 500)
        services.contract_file(
            actor=by, customer_id=customer.pk, number=self.number("HT"), signed_on=signed,
            title=f"{self.rng.choice(PRODUCTS)}产品购销合同", valid_to=signed + timedelta(days=730),
            amount_value=Decimal(self.rng.randrange(50, 5000)) * 10000,
        )

    def open_application(self, customer: Customer, by: User) -> AdmissionApplication:
        rng = self.rng
        capital = customer.registered_capital_amount
        volume = (capital * rng.choice([Decimal("0.2"), Decimal("0.5"), Decimal("1"), Decimal("3")])
                  if capital else Decimal(rng.randrange(10, 200)) * 10000)
        justification = ""
        if capital and rng.random() < 0.05:
            # Above 10x registered capital (domain spec C-7) the customer manager must say why.
            volume = capital * 12
            justification = "客户为上市公司全资子公司，由母公司提供连带责任担保"
        return services.admission_create(
            actor=by, customer_id=customer.pk, scope_attested=customer.is_entity,
            expected_annual_volume_amount=volume.quantize(Decimal("0.01")), volume_justification=justification,
            questionnaire={
                "main_products": "、".join(rng.sample(PRODUCTS, 2)),
                "annual_purchase_plan": f"年采购约{rng.randrange(100, 5000)}吨",
                "payment_terms": rng.choice(["款到发货", "货到30天付款", "银行承兑汇票"]),
                "bank_name": rng.choice(BANKS),
                "employees": str(rng.randrange(5, 2000)),
                "credit_record": "无不良信用记录",
            },
        )

    def committee_votes(self, application: AdmissionApplication, n: int, *, approve: bool) -> None:
        members = self.rng.sample([self.users[f"hq_committee{i}"] for i in (1, 2, 3)], n)
        for member in members:
            services.admission_vote(actor=member, application_id=application.pk, approve=approve,
                                    comment="" if approve else "注册资本与经营规模不匹配，存在较大信用风险")

    def run_fate(self, customer: Customer, fate: str, org: str) -> None:
        rng = self.rng
        who = self.staff(org)
        if fate == "prospect":
            return
        application = self.open_application(customer, who["submitter"])
        if fate == "draft":
            return
        services.admission_submit(actor=who["submitter"], application_id=application.pk)
        if fate == "submitted":
            return
        if fate == "returned":
            if rng.random() < 0.5:
                services.admission_return(actor=who["sales"], application_id=application.pk,
                                          comment="调查表中主要供应商信息不全，请补充")
            else:
                services.admission_sales_check(actor=who["sales"], application_id=application.pk)
                services.admission_return(actor=who["office"], application_id=application.pk,
                                          comment="营业执照复印件不清晰，请重新上传")
            return
        if fate == "rejected" and rng.random() < 0.5:
            services.admission_sales_check(actor=who["sales"], application_id=application.pk, approve=False,
                                           comment="客户近两年存在多次逾期付款记录")
            return
        services.admission_sales_check(actor=who["sales"], application_id=application.pk)
        if fate == "sales_checked":
            return
        services.admission_office_review(actor=who["office"], application_id=application.pk)
        departments = DEPARTMENTS if fate != "office_reviewed" else rng.sample(DEPARTMENTS, rng.randint(0, 4))
        for department in departments:
            conditional = rng.random() < 0.1
            services.admission_opinion(
                actor=who["dept"], application_id=application.pk, department=department,
                opinion="conditional" if conditional else "approve",
                comment="建议首年采用款到发货方式结算" if conditional else "",
            )
        if fate == "office_reviewed":
            return
        if fate == "opinions_complete":
            self.committee_votes(application, rng.choice([0, 1]), approve=True)
            return
        if fate == "rejected":
            self.committee_votes(application, 2, approve=False)
            return
        self.committee_votes(application, 2, approve=True)
        if fate == "qualified":
            return
        services.agreement_sign(actor=who["submitter"], customer_id=customer.pk, number=self.number("XY"),
                                signed_on=self.days_ago(1, 200), valid_to=self.today + timedelta(days=3 * 365))
        services.customer_activate(actor=who["submitter"], customer_id=customer.pk)
        if fate == "terminated":
            # S9 Ch.2 §5: a customer found unqualified at the periodic evaluation is terminated at once.
            services.customer_terminate(actor=who["office"], customer_id=customer.pk, reason="failed_evaluation",
                                        note="年度客户评价不合格，终止销售合作协议")
        elif fate == "exited":
            services.customer_exit(actor=who["submitter"], customer_id=customer.pk, note="客户停产转型，主动终止合作")

    def upload_questionnaire(self, customer: Customer, by: User) -> None:
        text = f"客户基本情况调查表\n客户名称：{customer.name}\n主要产品：{self.rng.choice(PRODUCTS)}\n"
        services.document_upload(actor=by, customer_id=customer.pk, kind="questionnaire", title="客户基本情况调查表",
                                 filename="客户基本情况调查表.txt", content_type="text/plain; charset=utf-8",
                                 data=text.encode("utf-8"))

    # ------------------------------------------------------------ the whole set

    def plan(self) -> list[tuple[str, str, str]]:
        """Return (kind, fate, org) for every customer, shuffled but reproducible."""
        rng = self.rng
        fates = [f for f, n in FATES.items() for _ in range(n)]
        kinds = [k for k, n in KINDS.items() for _ in range(n)]
        rng.shuffle(fates)
        rng.shuffle(kinds)
        orgs = rng.choices(["BJ", "HY", "HY01"], weights=[45, 40, 15], k=len(fates))
        return list(zip(kinds, fates, orgs, strict=True))


def load_demo(*, rng_seed: int = 2026, progress: Callable[[int, int], None] | None = None) -> DemoSummary:
    """Load the demo organisation, staff and customers, once. A second call changes nothing.

    ``progress(done, total)`` is called after each customer.
    """
    rng = random.Random(rng_seed)
    # One transaction: a load that fails half-way leaves nothing behind, so "HQ exists" really means
    # "the demo is loaded". On SQLite the IMMEDIATE transaction also makes a second, concurrent load
    # wait and then find HQ. Its audit rows are sealed once, at the end (seal_at_end: the same chain), and the
    # logins' one password is hashed once.
    with transaction.atomic(), seal_at_end(), core_services.shared_password_hash(DEMO_PASSWORD):
        if OrgUnit.objects.filter(code="HQ").exists():
            return DemoSummary(created=False, password=DEMO_PASSWORD, logins=demo_logins(), counts=demo_counts())
        builder = _Builder(rng)
        builder.build_org()
        plan = builder.plan()
        by_fate: dict[str, list[Customer]] = {}
        expired_left = 8
        for done, (kind, fate, org) in enumerate(plan, start=1):
            who = builder.staff(org)
            customer = builder.create_customer(kind, org, who["submitter"])
            if customer.is_entity:
                builder.add_contacts(customer, who["submitter"])
            # Some prospects cannot be submitted: their business licence has expired.
            expired_required = fate == "prospect" and customer.is_entity and expired_left > 0
            expired_left -= expired_required
            builder.add_licences(
                customer, who["submitter"], expired_required=expired_required,
                expiring=fate in ("qualified", "active") and rng.random() < 0.15,
                expired_permit=not expired_required and rng.random() < 0.06,
            )
            if fate in SUBMITTED_FATES or (fate in ("prospect", "draft") and rng.random() < 0.5):
                builder.add_contract(customer, who["submitter"])
            if fate in SUBMITTED_FATES and rng.random() < 0.08:
                builder.upload_questionnaire(customer, who["submitter"])
            builder.run_fate(customer, fate, org)
            by_fate.setdefault(fate, []).append(customer)
            if progress:
                progress(done, len(plan))
        _groups(builder, by_fate)
        _personal_data_change(builder, by_fate)
    return DemoSummary(created=True, password=DEMO_PASSWORD, logins=demo_logins(), counts=demo_counts())


def _groups(builder: _Builder, by_fate: dict[str, list[Customer]]) -> None:
    """Two groups of connected customers (集团客户), one per branch."""
    admitted = [c for f in ("active", "qualified", "opinions_complete") for c in by_fate.get(f, [])
                if c.kind == "enterprise"]
    specs = [("BJG01", "北京华鑫控股集团", "BJ", lambda c: c.org_unit.code == "BJ"),
             ("HYG01", "湖南湘南有色投资集团", "HY", lambda c: c.org_unit.code in ("HY", "HY01"))]
    for code, name, org, belongs in specs:
        office = builder.users[f"{org.lower()}_office"]
        group = services.group_create(actor=office, code=code, name=name, org_code=org)
        members = [c for c in admitted if belongs(c)][:4]
        for i, customer in enumerate(members):
            services.group_add_member(
                actor=office, group_id=group.pk, customer_id=customer.pk,
                relation="parent" if i == 0 else builder.rng.choice(["subsidiary", "common_control"]),
                evidence="国家企业信用信息公示系统股权穿透查询", since=builder.days_ago(300, 3000),
            )


def _personal_data_change(builder: _Builder, by_fate: dict[str, list[Customer]]) -> None:
    """An individual customer moved house and changed phone: the change waits for their consent (S3 Art.8)."""
    people = [c for f in ("active", "qualified") for c in by_fate.get(f, []) if c.kind == "individual"]
    for customer, answer in zip(people[:2], ["pending", "confirmed"], strict=False):
        manager = User.objects.get(pk=customer.manager_id)
        services.customer_update(actor=manager, customer_id=customer.pk, changes={
            "phone": make_mobile(builder.rng), "address": make_address(builder.rng, "430406"),
        })
        if answer == "confirmed":
            consent = ConsentRecord.objects.filter(customer=customer, status=ConsentStatus.PENDING).get()
            services.consent_record(actor=manager, consent_id=consent.pk, status="confirmed", channel="phone")
