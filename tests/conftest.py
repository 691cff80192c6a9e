"""The named world every scenario test uses: an org tree, one user per role, helpers to admit.

HQ (总部)
├── BJ (北京分公司)
│   └── BJ01 (朝阳营业部)
└── SH (上海分公司)
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from django.utils import timezone
from hypothesis import settings as hypothesis_settings

from kehu.core import services as core_services
from kehu.core.models import User
from kehu.customers import services
from kehu.customers.generators import make_company, make_person_name, make_resident_id, make_uscc
from kehu.customers.models import Customer

# No per-example deadline: the property tests check results, not speed (benchmarks/ measure speed), and under
# pytest-xdist on a busy CI machine a pure example once took longer than Hypothesis's default 200 ms and failed.
hypothesis_settings.register_profile("kehu", deadline=None)
hypothesis_settings.load_profile("kehu")

PASSWORD = "Kehu-test-2026"
DEPARTMENTS = ["enterprise_mgmt", "production", "finance", "audit", "safety_env"]


@dataclass
class World:
    users: dict[str, User] = field(default_factory=dict)
    rng: random.Random = field(default_factory=lambda: random.Random(20261128))

    def __getattr__(self, name: str) -> User:
        try:
            return self.__dict__["users"][name]
        except KeyError:
            raise AttributeError(name) from None

    def enterprise(self, *, by: User | None = None, org: str | None = None, **kw) -> Customer:
        name, trade, _code = make_company(self.rng)
        values = {"kind": "enterprise", "name": name, "uscc": make_uscc(self.rng), "legal_representative":
                  make_person_name(self.rng), "registered_capital_amount": "50000000.00", "industry": trade,
                  "region": "北京", "business_scope": trade + "产品的生产与销售"}
        values.update(kw)
        return services.customer_create(actor=by or self.bj_cm, org_code=org, **values)

    def individual(self, *, by: User | None = None, org: str | None = None, **kw) -> Customer:
        values = {"kind": "individual", "name": make_person_name(self.rng), "id_number": make_resident_id(self.rng),
                  "phone": "13800138000", "address": "北京市朝阳区建国路88号"}
        values.update(kw)
        return services.customer_create(actor=by or self.bj_cm, org_code=org, **values)

    def papers(self, customer: Customer, *, by: User | None = None) -> None:
        """File a valid business licence and a purchase/sales contract."""
        by = by or self.bj_cm
        today = timezone.localdate()
        if customer.is_entity:
            services.licence_add(actor=by, customer_id=customer.pk, kind="business_licence",
                                 number=customer.uscc, issuer="市场监督管理局",
                                 valid_from=today - timedelta(days=400), valid_to=today + timedelta(days=3000))
            if customer.kind == "financial_institution":
                services.licence_add(actor=by, customer_id=customer.pk, kind="financial_licence", number="B0001",
                                     valid_from=today - timedelta(days=400))
        if customer.kind != "scattered":
            services.contract_file(actor=by, customer_id=customer.pk, number=f"HT-{customer.pk}",
                                   signed_on=today - timedelta(days=10))

    def submit(self, customer: Customer, *, by: User | None = None):
        by = by or self.bj_cm
        application = services.admission_create(actor=by, customer_id=customer.pk, scope_attested=True,
                                                expected_annual_volume_amount="1000000.00",
                                                questionnaire={"main_products": "电解铜"})
        return services.admission_submit(actor=by, application_id=application.pk)

    def to_committee(self, customer: Customer):
        application = self.submit(customer)
        services.admission_sales_check(actor=self.bj_sales, application_id=application.pk)
        services.admission_office_review(actor=self.bj_office, application_id=application.pk)
        for dept in DEPARTMENTS:
            services.admission_opinion(actor=self.bj_dept, application_id=application.pk, department=dept,
                                       opinion="approve")
        application.refresh_from_db()
        return application

    def admit(self, customer: Customer) -> Customer:
        """Take a customer with papers through the whole review to QUALIFIED."""
        self.papers(customer)
        application = self.to_committee(customer)
        services.admission_vote(actor=self.hq_committee1, application_id=application.pk, approve=True)
        services.admission_vote(actor=self.hq_committee2, application_id=application.pk, approve=True)
        customer.refresh_from_db()
        return customer


# Data that migrations seed (default SLA policies, complaint categories, survey templates, the default
# questionnaire, the purpose register). A transactional test (browser tests, real-thread races) flushes every
# table when it ends, seeds included, so the world puts back what is missing.
SEEDS = [
    ("kehu.helpdesk.migrations.0004_seed_sla_policies", "helpdesk.SlaPolicy"),
    ("kehu.helpdesk.migrations.0009_complaint_categories", "helpdesk.ComplaintCategory"),
    ("kehu.surveys.migrations.0002_seed_templates", "surveys.SurveyTemplate"),
    ("kehu.suitability.migrations.0002_default_questionnaire", "suitability.Questionnaire"),
    # before 0002 (which also seeds policies): keyed by the policy table, which is empty only after a flush
    ("kehu.privacy.migrations.0005_seed_retention_classes", "privacy.RetentionPolicy"),
    ("kehu.privacy.migrations.0002_seed_register", "privacy.ProcessingPurpose"),
]


def reseed() -> None:
    from importlib import import_module

    from django.apps import apps

    for module, label in SEEDS:
        try:
            model = apps.get_model(label)
        except LookupError:
            continue
        if not model.objects.exists():
            import_module(module).seed(apps, None)


@pytest.fixture(autouse=True)
def _migration_seeds(request):
    """Every test that uses the database starts with the seeded data in place (see SEEDS)."""
    names = request.fixturenames
    if "transactional_db" in names or "live_server" in names:
        request.getfixturevalue("transactional_db")
    elif "db" in names or request.node.get_closest_marker("django_db") is not None:
        request.getfixturevalue("db")
    else:
        return
    reseed()


def build_world() -> World:
    reseed()
    world = World()
    make = core_services.org_unit_create
    make(code="HQ", name="总部", actor=None)
    make(code="BJ", name="北京分公司", parent_code="HQ", actor=None)
    make(code="BJ01", name="朝阳营业部", parent_code="BJ", actor=None)
    make(code="SH", name="上海分公司", parent_code="HQ", actor=None)

    def user(name: str, org: str, roles: list[str], **kw) -> None:
        world.users[name] = core_services.user_create(username=name, org_code=org, roles=roles, password=PASSWORD,
                                                      actor=None, **kw)

    user("bj_cm", "BJ", ["customer_manager"])
    user("bj_sales", "BJ", ["customer_manager"])
    user("bj01_cm", "BJ01", ["customer_manager"], own_customers_only=True)
    user("bj_office", "BJ", ["customer_office"])
    user("bj_dept", "BJ", ["dept_reviewer"], department="enterprise_mgmt")
    for dept in DEPARTMENTS[1:]:
        core_services.role_grant(user=world.users["bj_dept"], role="dept_reviewer", org_code="BJ", department=dept,
                                 actor=None)
    user("bj_auditor", "BJ", ["auditor"])
    user("sh_cm", "SH", ["customer_manager"])
    user("sh_office", "SH", ["customer_office"])
    user("hq_committee1", "HQ", ["committee"])
    user("hq_committee2", "HQ", ["committee"])
    user("hq_committee3", "HQ", ["committee"])
    user("hq_auditor", "HQ", ["auditor"])
    user("admin", "HQ", ["sysadmin"])
    return world


@pytest.fixture(autouse=True)
def jobs_inline(monkeypatch):
    """Background jobs (kehu.core.jobs) run inline in the test's transaction unless a test asks for a
    runner (tests/core/test_jobs.py): a thread could not see the test's uncommitted data."""
    from kehu.core import jobs

    monkeypatch.setattr(jobs, "EAGER", True)


@pytest.fixture(autouse=True)
def audit_checkpoints(settings, tmp_path):
    """Each test publishes the audit chain's checkpoints into its own directory (a checkpoint of an
    earlier test's database would not match this one's)."""
    settings.KEHU_AUDIT_CHECKPOINT_DIR = tmp_path / "audit-checkpoints"
    return settings.KEHU_AUDIT_CHECKPOINT_DIR


@pytest.fixture
def world(db) -> World:
    return build_world()


@pytest.fixture
def tworld(transactional_db) -> World:
    """The world for tests with real threads (each thread commits)."""
    return build_world()


def cli_env() -> dict[str, str]:
    """The environment for a real ``kehu`` subprocess that works on the test database: the same database and the
    same KEHU_HOME (the keys that encrypt files and key the audit chain). Without KEHU_HOME the test process uses
    ``<home>/test`` while a subprocess would use ``<home>`` and generate keys of its own."""
    import os
    from urllib.parse import urlsplit, urlunsplit

    from django.conf import settings
    from django.db import connection

    db = connection.settings_dict
    if connection.vendor == "sqlite":
        url = f"sqlite:///{db['NAME']}"
    else:
        url = urlunsplit(urlsplit(os.environ["KEHU_DATABASE_URL"])._replace(path="/" + db["NAME"]))
    env = {**os.environ, "KEHU_DATABASE_URL": url, "KEHU_HOME": str(settings.KEHU_HOME), "KEHU_DEBUG": "1"}
    # The test's own checkpoint directory (the autouse ``audit_checkpoints``): the default one under KEHU_HOME is
    # shared by every test of the run, and a checkpoint another test's process published there belongs to
    # another database.
    if settings.KEHU_AUDIT_CHECKPOINT_DIR:
        env["KEHU_AUDIT_CHECKPOINT_DIR"] = str(settings.KEHU_AUDIT_CHECKPOINT_DIR)
    return env


@pytest.fixture(scope="session")
def _initialised_home_template(tmp_path_factory):
    """One real ``kehu init`` per test session (per xdist worker): a fresh migrate takes about half a minute,
    and the CLI tests that only need an initialised KEHU_HOME start from a copy of this one."""
    from tests.test_cli import kehu, ok

    path = tmp_path_factory.mktemp("kehu-init-template")
    # Half a minute on a quiet machine, several times that while other test runs share its two cores.
    result = ok(kehu(path, "init", "-v", "0", timeout=900))
    assert "Database ready: SQLite" in result.stdout
    return path


@pytest.fixture
def kehu_home(tmp_path, _initialised_home_template):
    """``tmp_path`` as a KEHU_HOME that ``kehu init`` has initialised (with tests/test_cli.py's keys): a copy of
    what one init wrote, the SQLite database included. Tests of ``kehu init`` itself run it themselves."""
    import shutil

    shutil.copytree(_initialised_home_template, tmp_path, dirs_exist_ok=True)
    return tmp_path
