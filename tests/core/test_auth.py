"""Login and lockout, password rules, API tokens and the parameter maker-checker (core services)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from tests._fixtures.services import PASSWORD, audit_rows, last_audit, make_user

from kehu.core import services
from kehu.core.audit import Event
from kehu.core.errors import (
    AccountLocked,
    Conflict,
    InvalidInput,
    NotFound,
    PermissionDenied,
    SelfApprovalNotAllowed,
)
from kehu.core.models import ApiToken, AuditEvent, LoginThrottle, RuleParameter, User
from kehu.core.params import get_param

pytestmark = pytest.mark.usefixtures("english")  # messages are asserted in English

WRONG = "Wrong-pass-99"


def fail(username="bj_cm", times=1):
    for _ in range(times):
        assert services.login_attempt(username=username, password=WRONG) is None
        pass_short_waits()


def pass_short_waits():
    """Time passes over the growing waits between failures (seconds); a lock (30 minutes) stays."""
    LoginThrottle.objects.filter(failures__gt=0).update(blocked_until=None)


def state(user: User) -> tuple[int, bool]:
    user.refresh_from_db()
    return user.failed_logins, bool(user.locked_until and user.locked_until > timezone.now())


def approve_param(world, code, value, effective_from=None):
    checker = User.objects.filter(username="admin2").first() or make_user("admin2", "HQ", ["sysadmin"])
    row = services.parameter_propose(
        code=code, value=value, effective_from=effective_from or timezone.localdate(), actor=world.admin
    )
    return services.parameter_approve(parameter_id=row.pk, actor=checker)


# ---------------------------------------------------------------- login and lockout


def test_a_correct_password_logs_in_and_is_audited(world):
    user = services.login_attempt(username="bj_cm", password=PASSWORD, ip="10.0.0.1", channel="web")
    assert user == world.bj_cm
    row = last_audit(Event.LOGIN_OK, object_id=str(user.pk))
    assert (row.actor_id, row.ip, row.channel) == (user.pk, "10.0.0.1", "web")
    assert state(user) == (0, False)
    assert user.last_login is not None


def test_the_account_locks_after_five_failures(world):
    user = world.bj_cm
    fail(times=4)
    assert state(user) == (4, False)
    assert services.login_attempt(username="bj_cm", password=PASSWORD) == user  # still open after four
    fail(times=5)
    _count, locked = state(user)
    assert locked
    assert timedelta(minutes=29) < user.locked_until - timezone.now() <= timedelta(minutes=30)
    assert len(audit_rows(Event.ACCOUNT_LOCKED, object_id=str(user.pk))) == 1
    with pytest.raises(AccountLocked) as caught:
        services.login_attempt(username="bj_cm", password=PASSWORD)
    assert caught.value.code == "account_locked"
    refused = last_audit(Event.LOGIN_FAILED, object_id=str(user.pk))
    assert refused.reason == "locked"


def test_the_failure_limit_is_a_parameter(world):
    approve_param(world, "sec.lockout_failures", 3)
    fail(times=2)
    assert state(world.bj_cm)[1] is False
    fail(times=1)
    assert state(world.bj_cm)[1] is True


def test_a_locked_account_opens_again_after_the_lock_time(world):
    user = world.bj_cm
    fail(times=5)
    assert state(user)[1]
    # Time passes: the lock ran out a second ago.
    User.objects.filter(pk=user.pk).update(locked_until=timezone.now() - timedelta(seconds=1))
    LoginThrottle.objects.update(blocked_until=timezone.now() - timedelta(seconds=1))
    assert services.login_attempt(username="bj_cm", password=PASSWORD) == user
    user.refresh_from_db()
    assert (user.failed_logins, user.locked_until) == (0, None)


def test_a_lock_still_running_refuses_even_the_right_password(world):
    user = world.bj_cm
    User.objects.filter(pk=user.pk).update(locked_until=timezone.now() + timedelta(seconds=30))
    with pytest.raises(AccountLocked):
        services.login_attempt(username="bj_cm", password=PASSWORD)
    assert not audit_rows(Event.LOGIN_OK, object_id=str(user.pk))


def test_a_success_resets_the_failure_count(world):
    user = world.bj_cm
    fail(times=4)
    services.login_attempt(username="bj_cm", password=PASSWORD)
    assert state(user) == (0, False)
    fail(times=4)
    assert state(user) == (4, False)  # four fresh failures, not eight


def test_failures_of_one_user_do_not_lock_another(world):
    fail("bj_cm", times=5)
    assert services.login_attempt(username="bj_sales", password=PASSWORD) == world.bj_sales


def test_unknown_users_and_inactive_users_do_not_log_in(world):
    before = AuditEvent.objects.count()
    assert services.login_attempt(username="nobody", password=PASSWORD) is None
    assert AuditEvent.objects.count() == before
    User.objects.filter(pk=world.bj_sales.pk).update(is_active=False)
    assert services.login_attempt(username="bj_sales", password=PASSWORD) is None


def test_an_administrator_unlocks_an_account(world):
    user = world.bj_cm
    fail(times=5)
    services.user_unlock(user=user, actor=world.admin)
    assert state(user) == (0, False)
    assert services.login_attempt(username="bj_cm", password=PASSWORD) == user
    assert last_audit(Event.USER_UPDATED, object_id=str(user.pk)).actor_id == world.admin.pk


# ---------------------------------------------------------------- password rules


@pytest.mark.parametrize(
    "weak",
    ["Ab1-", "Kehu-1", "abcdefgh", "abcd1234efgh", "ABCDEFGH12", "密码密码密码密码", "password", "12345678"],
)
def test_weak_passwords_are_refused(world, weak):
    user = world.bj_cm
    old_hash = User.objects.get(pk=user.pk).password
    with pytest.raises(InvalidInput) as caught:
        services.user_set_password(user=user, password=weak, actor=user)
    assert (caught.value.code, caught.value.field) == ("weak_password", "password")
    assert User.objects.get(pk=user.pk).password == old_hash
    assert not audit_rows(Event.PASSWORD_CHANGED)


def test_a_password_too_similar_to_the_username_is_refused(world):
    user = make_user("zhangwei_cm", "BJ", ["customer_manager"])
    with pytest.raises(InvalidInput):
        services.user_set_password(user=user, password="Zhangwei_cm1", actor=user)


@pytest.mark.parametrize("strong", ["Kehu-test-2027", "Xq7#mz2Lp", "长城Abc-1234", "qwerty-9431-zx"])
def test_a_strong_password_is_set_and_works(world, strong):
    user = world.bj_cm
    services.user_set_password(user=user, password=strong, actor=user)
    assert services.login_attempt(username="bj_cm", password=strong) == user
    assert services.login_attempt(username="bj_cm", password=PASSWORD) is None
    assert last_audit(Event.PASSWORD_CHANGED, object_id=str(user.pk)).new_values is None


def test_a_user_is_not_created_with_a_weak_password(world):
    with pytest.raises(InvalidInput):
        services.user_create(
            username="weakling", org_code="BJ", roles=["customer_manager"], password="abc", actor=world.admin
        )
    assert not User.objects.filter(username="weakling").exists()


# ---------------------------------------------------------------- API tokens


def test_a_created_token_authenticates_its_user_and_only_its_hash_is_kept(world):
    token = services.token_create(user=world.bj_cm, name="ERP 接口", actor=world.admin)
    assert services.token_authenticate(token) == world.bj_cm
    row = ApiToken.objects.get(user=world.bj_cm)
    assert token not in (row.key_hash, row.prefix) and row.prefix == token[:12]
    assert token not in str(list(AuditEvent.objects.values_list("new_values", flat=True)))
    assert last_audit(Event.TOKEN_CREATED, object_id=str(world.bj_cm.pk)).new_values["prefix"] == token[:12]


def test_a_revoked_token_no_longer_authenticates(world):
    token = services.token_create(user=world.bj_cm, actor=world.admin)
    row = ApiToken.objects.get(user=world.bj_cm)
    services.token_revoke(token_id=row.pk, actor=world.admin)
    assert services.token_authenticate(token) is None
    with pytest.raises(NotFound):
        services.token_revoke(token_id=row.pk, actor=world.admin)


def test_an_expired_token_no_longer_authenticates(world):
    token = services.token_create(user=world.bj_cm, days=1, actor=world.admin)
    assert services.token_authenticate(token) == world.bj_cm
    ApiToken.objects.filter(user=world.bj_cm).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert services.token_authenticate(token) is None


def test_a_token_of_a_deactivated_user_does_not_authenticate(world):
    token = services.token_create(user=world.bj_cm, actor=world.admin)
    User.objects.filter(pk=world.bj_cm.pk).update(is_active=False)
    assert services.token_authenticate(token) is None


@pytest.mark.parametrize("garbage", ["", "kehu_", "kehu_" + "x" * 43, "x" * 500])
def test_garbage_tokens_do_not_authenticate(world, garbage):
    services.token_create(user=world.bj_cm, actor=world.admin)
    assert services.token_authenticate(garbage) is None


@pytest.mark.parametrize("days", [0, -1, 3651])
def test_a_token_lifetime_is_bounded(world, days):
    with pytest.raises(InvalidInput):
        services.token_create(user=world.bj_cm, days=days, actor=world.admin)
    assert not ApiToken.objects.exists()


# ---------------------------------------------------------------- parameters: maker-checker


def test_nobody_approves_their_own_parameter_change(world):
    row = services.parameter_propose(
        code="sec.lockout_failures", value=3, effective_from=timezone.localdate(), actor=world.admin
    )
    with pytest.raises(SelfApprovalNotAllowed):
        services.parameter_approve(parameter_id=row.pk, actor=world.admin)
    row.refresh_from_db()
    assert row.status == RuleParameter.Status.PENDING
    # A pending proposal changes nothing.
    assert get_param("sec.lockout_failures") == 5


def test_an_approved_value_applies_from_its_effective_date(world):
    today = timezone.localdate()
    tomorrow = today + timedelta(days=1)
    row = approve_param(world, "sec.lockout_failures", 7, effective_from=tomorrow)
    assert row.status == RuleParameter.Status.APPROVED and row.approved_by.username == "admin2"
    assert get_param("sec.lockout_failures") == 5
    assert get_param("sec.lockout_failures", on=today) == 5
    assert get_param("sec.lockout_failures", on=tomorrow) == 7
    assert get_param("sec.lockout_failures", on=tomorrow + timedelta(days=400)) == 7
    audit = last_audit(Event.PARAM_APPROVED, object_id=str(row.pk))
    assert audit.old_values == {"value": 5}
    assert audit.new_values == {"code": "sec.lockout_failures", "value": 7}
    # A later change supersedes it from its own date.
    approve_param(world, "sec.lockout_failures", 4, effective_from=tomorrow + timedelta(days=10))
    assert get_param("sec.lockout_failures", on=tomorrow + timedelta(days=9)) == 7
    assert get_param("sec.lockout_failures", on=tomorrow + timedelta(days=10)) == 4


def test_a_decided_parameter_change_cannot_be_approved_again(world):
    row = approve_param(world, "sec.lockout_minutes", 60)
    checker = User.objects.get(username="admin2")
    with pytest.raises(Conflict):
        services.parameter_approve(parameter_id=row.pk, actor=checker)
    with pytest.raises(NotFound):
        services.parameter_approve(parameter_id=987654, actor=checker)


def test_only_a_parameter_manager_may_propose_or_approve(world):
    with pytest.raises(PermissionDenied):
        services.parameter_propose(code="sec.lockout_minutes", value=60, effective_from=timezone.localdate(),
                                   actor=world.bj_office)
    row = services.parameter_propose(code="sec.lockout_minutes", value=60, effective_from=timezone.localdate(),
                                     actor=world.admin)
    with pytest.raises(PermissionDenied):
        services.parameter_approve(parameter_id=row.pk, actor=world.hq_committee1)
    row.refresh_from_db()
    assert row.status == "pending"


@pytest.mark.parametrize(
    ("code", "value"),
    [
        ("sec.no_such_thing", 1),
        ("sec.lockout_failures", "5"),
        ("sec.lockout_failures", True),
        ("sec.lockout_failures", 5.0),
        ("admission.required_departments", "finance"),
    ],
)
def test_a_parameter_change_needs_a_known_code_and_the_right_type(world, code, value):
    with pytest.raises(InvalidInput):
        services.parameter_propose(
            code=code, value=value, effective_from=timezone.localdate(), actor=world.admin
        )
    assert not RuleParameter.objects.exists()


def test_users_given_the_shared_password_get_its_one_hash_and_are_still_checked(world):
    """shared_password_hash (the demo's fifty logins): one hash made once; each password still validated."""
    with services.shared_password_hash(PASSWORD):
        a = services.user_create(username="demo_a", org_code="BJ", roles=["auditor"], password=PASSWORD, actor=None)
        b = services.user_create(username="demo_b", org_code="BJ", roles=["auditor"], password=PASSWORD, actor=None)
        other = services.user_create(username="demo_c", org_code="BJ", roles=["auditor"], password=PASSWORD + "x",
                                     actor=None)
        with pytest.raises(InvalidInput):
            services.user_create(username="demo_d", org_code="BJ", roles=["auditor"], password="short", actor=None)
    assert a.password == b.password != other.password
    outside = services.user_create(username="demo_e", org_code="BJ", roles=["auditor"], password=PASSWORD,
                                   actor=None)
    assert outside.password != a.password
    for user, password in ((a, PASSWORD), (b, PASSWORD), (other, PASSWORD + "x"), (outside, PASSWORD)):
        assert services.login_attempt(username=user.username, password=password) is not None
