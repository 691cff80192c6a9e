"""Issue 11, authentication half: tokens under account controls, the login throttle, separation of
duties, password history and administrators' password length, audit rows scoped by org unit."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone
from tests._fixtures.services import PASSWORD, make_user
from tests.concurrency import run_together

from kehu.core import services
from kehu.core.api import audit_queryset
from kehu.core.audit import Event, audit_record
from kehu.core.duties import ROLE_CONFLICTS, conflicts
from kehu.core.errors import AccountLocked, InvalidInput, LoginThrottled, NotFound, PermissionDenied
from kehu.core.models import ApiToken, AuditEvent, LoginThrottle, Role, RoleAssignment, RuleParameter, User

pytestmark = pytest.mark.usefixtures("english")  # messages are asserted in English


def set_param(code, value):
    RuleParameter.objects.create(code=code, value=value, effective_from=timezone.localdate() - timedelta(days=1),
                                 status="approved", approved_at=timezone.now())


# ---------------------------------------------------------------- defect 8: tokens


def test_a_token_expires_after_the_default_lifetime(world):
    services.token_create(user=world.bj_cm, actor=world.admin)
    row = ApiToken.objects.get(user=world.bj_cm)
    lifetime = row.expires_at - row.created_at
    assert timedelta(days=89, hours=23) < lifetime <= timedelta(days=90)
    set_param("sec.token_default_days", 7)
    services.token_create(user=world.bj_sales, actor=world.admin)
    assert ApiToken.objects.get(user=world.bj_sales).expires_at - timezone.now() <= timedelta(days=7)


@pytest.mark.parametrize("state", ["locked", "password_expired", "deactivated"])
def test_a_token_obeys_the_account_checks_of_a_login(world, state):
    token = services.token_create(user=world.bj_cm, actor=world.admin)
    assert services.token_authenticate(token) == world.bj_cm
    if state == "locked":
        User.objects.filter(pk=world.bj_cm.pk).update(locked_until=timezone.now() + timedelta(minutes=5))
    elif state == "password_expired":
        User.objects.filter(pk=world.bj_cm.pk).update(password_changed_at=timezone.now() - timedelta(days=91))
    else:
        User.objects.filter(pk=world.bj_cm.pk).update(is_active=False)
    assert services.token_authenticate(token) is None
    with pytest.raises(InvalidInput):
        services.token_create(user=User.objects.get(pk=world.bj_cm.pk), actor=world.admin)


def test_a_token_of_a_locked_account_works_again_once_the_lock_ends(world):
    token = services.token_create(user=world.bj_cm, actor=world.admin)
    User.objects.filter(pk=world.bj_cm.pk).update(locked_until=timezone.now() - timedelta(seconds=1))
    assert services.token_authenticate(token) == world.bj_cm


def test_the_last_use_of_a_token_is_recorded(world):
    token = services.token_create(user=world.bj_cm, actor=world.admin)
    assert ApiToken.objects.get(user=world.bj_cm).last_used_at is None
    services.token_authenticate(token)
    used = ApiToken.objects.get(user=world.bj_cm).last_used_at
    assert used is not None and timezone.now() - used < timedelta(seconds=30)


def test_a_user_revokes_only_their_own_tokens_and_the_sysadmin_anyones(world):
    mine = services.token_create(user=world.bj_cm, actor=world.bj_cm)
    theirs = services.token_create(user=world.bj_sales, actor=world.admin)
    mine_row = ApiToken.objects.get(user=world.bj_cm)
    theirs_row = ApiToken.objects.get(user=world.bj_sales)
    with pytest.raises(NotFound):
        services.token_revoke(token_id=theirs_row.pk, actor=world.bj_cm)
    assert services.token_authenticate(theirs) == world.bj_sales
    services.token_revoke(token_id=mine_row.pk, actor=world.bj_cm)
    services.token_revoke(token_id=theirs_row.pk, actor=world.admin)
    assert services.token_authenticate(mine) is None and services.token_authenticate(theirs) is None
    with pytest.raises(PermissionDenied):
        services.token_create(user=world.bj_sales, actor=world.bj_cm)


# ---------------------------------------------------------------- defect 9: login throttle


def test_unknown_and_real_usernames_get_the_same_answers(world):
    answers = {}
    for name in ("bj_cm", "no_such_user"):
        seen = []
        for _ in range(7):
            try:
                seen.append(services.login_attempt(username=name, password="Wrong-pass-1", ip=f"10.1.0.{len(name)}"))
            except AccountLocked as exc:
                seen.append((exc.code, str(exc.message)))
        answers[name] = seen
    assert answers["bj_cm"] == answers["no_such_user"]
    assert answers["bj_cm"][:5] == [None] * 5
    assert answers["bj_cm"][5] == ("account_locked", "The account is locked after too many failed logins; "
                                                     "try again in 30 minutes.")


def test_the_lock_ends_on_time_however_often_someone_keeps_trying(world):
    for _ in range(5):
        services.login_attempt(username="bj_cm", password="Wrong-pass-1", ip="10.2.0.1")
    until = LoginThrottle.objects.get(key="user:bj_cm").blocked_until
    for _ in range(5):  # the attacker keeps guessing during the lock: it does not grow
        with pytest.raises(AccountLocked):
            services.login_attempt(username="bj_cm", password="Wrong-pass-1", ip="10.2.0.2")
    assert LoginThrottle.objects.get(key="user:bj_cm").blocked_until == until
    assert timedelta(minutes=29) < until - timezone.now() <= timedelta(minutes=30)
    # Time passes: the owner gets in.
    LoginThrottle.objects.filter(key="user:bj_cm").update(blocked_until=timezone.now() - timedelta(seconds=1))
    User.objects.filter(pk=world.bj_cm.pk).update(locked_until=timezone.now() - timedelta(seconds=1))
    assert services.login_attempt(username="bj_cm", password=PASSWORD, ip="10.2.0.3") == world.bj_cm


def test_waits_of_a_name_grow_before_the_lock(world):
    set_param("sec.lockout_failures", 8)
    waits = []
    for _ in range(7):
        services.login_attempt(username="bj_cm", password="Wrong-pass-1", ip="10.3.0.1")
        row = LoginThrottle.objects.get(key="user:bj_cm")
        waits.append(round((row.blocked_until - timezone.now()).total_seconds()) if row.blocked_until else 0)
        LoginThrottle.objects.filter(key="user:bj_cm").update(blocked_until=None)  # time passes
    assert waits == [0, 0, 0, 0, 1, 2, 4]


def test_a_waiting_name_is_refused_even_with_the_right_password_and_told_how_long(world):
    set_param("sec.lockout_failures", 8)
    for _ in range(6):
        LoginThrottle.objects.update(blocked_until=None)  # time passes between the guesses
        services.login_attempt(username="bj_cm", password="Wrong-pass-1", ip="10.4.0.1")
    with pytest.raises(LoginThrottled) as caught:
        services.login_attempt(username="bj_cm", password=PASSWORD, ip="10.4.0.2")
    assert "try again in 2 seconds" in str(caught.value.message)


def test_one_address_guessing_many_accounts_is_throttled_and_then_refused_even_a_right_password(tworld):
    """The probe: 40 guesses over 10 accounts from one address within seconds, then a success."""
    # Waits of a minute: none of them runs out during the burst, however slow the machine.
    set_param("sec.throttle_base_seconds", 60)
    names = [f"victim{i}" for i in range(10)]
    for name in names:
        make_user(name, "BJ", ["customer_manager"])

    def guess(name):
        return lambda: services.login_attempt(username=name, password="Wrong-pass-1", ip="192.0.2.7")

    results = run_together([guess(names[i % 10]) for i in range(40)])
    checked = [v for kind, v in results if kind == "ok"]
    throttled = [v for kind, v in results if kind == "error"]
    assert all(isinstance(e, LoginThrottled) for e in throttled), throttled
    # Ten free failures, then the eleventh waits: every later guess in the burst is refused unchecked.
    assert len(checked) == 11 and len(throttled) == 29
    row = LoginThrottle.objects.get(key="ip:192.0.2.7")
    assert row.failures == 11 and row.blocked_until > timezone.now()
    with pytest.raises(LoginThrottled):
        services.login_attempt(username="bj_cm", password=PASSWORD, ip="192.0.2.7")
    # No account got locked by the burst, and the real user elsewhere logs in.
    assert not User.objects.filter(locked_until__gt=timezone.now()).exists()
    assert services.login_attempt(username="bj_cm", password=PASSWORD, ip="198.51.100.1") == tworld.bj_cm


def test_the_address_wait_doubles_up_to_its_cap(world):
    set_param("sec.ip_max_delay_seconds", 5)
    waits = []
    for i in range(15):
        services.login_attempt(username=f"name{i}", password="Wrong-pass-1", ip="203.0.113.5")
        row = LoginThrottle.objects.get(key="ip:203.0.113.5")
        waits.append(round((row.blocked_until - timezone.now()).total_seconds()) if row.blocked_until else 0)
        LoginThrottle.objects.filter(key="ip:203.0.113.5").update(blocked_until=None)
    assert waits == [0] * 10 + [1, 2, 4, 5, 5]


def test_the_ip_wait_refuses_with_the_same_answer_for_any_name(world):
    set_param("sec.throttle_base_seconds", 60)
    for i in range(11):
        services.login_attempt(username=f"name{i}", password="Wrong-pass-1", ip="203.0.113.9")
    answers = set()
    for name in ("bj_cm", "nobody_here"):
        with pytest.raises(LoginThrottled) as caught:
            services.login_attempt(username=name, password=PASSWORD, ip="203.0.113.9")
        answers.add(str(caught.value.message))
    assert answers == {"Too many failed logins; try again in 60 seconds."}


def test_old_failures_are_forgotten_after_the_window(world):
    for _ in range(3):
        services.login_attempt(username="bj_cm", password="Wrong-pass-1", ip="10.5.0.1")
    LoginThrottle.objects.update(last_failure_at=timezone.now() - timedelta(minutes=16))
    services.login_attempt(username="bj_cm", password="Wrong-pass-1", ip="10.5.0.1")
    assert LoginThrottle.objects.get(key="user:bj_cm").failures == 1


def test_the_daily_purge_keeps_only_rows_that_still_count(world):
    for name in ("bj_cm", "old_name"):
        services.login_attempt(username=name, password="Wrong-pass-1", ip="10.6.0.1")
    LoginThrottle.objects.filter(key="user:old_name").update(last_failure_at=timezone.now() - timedelta(hours=1))
    for _ in range(5):
        services.login_attempt(username="locked_one", password="Wrong-pass-1", ip="10.6.0.2")
    LoginThrottle.objects.filter(key="user:locked_one").update(last_failure_at=timezone.now() - timedelta(hours=1))
    assert services.login_throttle_purge() == 1
    assert set(LoginThrottle.objects.values_list("key", flat=True)) == {
        "user:bj_cm", "ip:10.6.0.1", "user:locked_one", "ip:10.6.0.2"}


# ---------------------------------------------------------------- defect 10: separation of duties


@pytest.mark.parametrize("roles", [["sysadmin", "auditor"], ["sysadmin", "customer_manager"],
                                   ["auditor", "committee"], ["sysadmin", "customer_manager", "auditor"],
                                   ["auditor", "credit_approver"]])
def test_conflicting_roles_are_refused_when_a_user_is_created(world, roles):
    with pytest.raises(InvalidInput) as caught:
        services.user_create(username="both", org_code="HQ", roles=roles, password="Kehu-admin-2026x",
                             actor=world.admin)
    assert caught.value.code == "sod_conflict"
    assert not User.objects.filter(username="both").exists()


def test_a_conflicting_role_is_refused_when_granted_later(world):
    before = RoleAssignment.objects.filter(user=world.admin).count()
    with pytest.raises(InvalidInput) as caught:
        services.role_grant(user=world.admin, role="auditor", org_code="HQ", actor=None)
    assert caught.value.code == "sod_conflict"
    assert RoleAssignment.objects.filter(user=world.admin).count() == before
    with pytest.raises(InvalidInput):
        services.role_grant(user=world.hq_auditor, role="customer_office", org_code="BJ", actor=None)
    services.role_grant(user=world.bj_cm, role="customer_office", org_code="BJ", actor=None)  # compatible


def test_the_conflict_table_is_symmetric_and_covers_every_role_against_sysadmin_and_auditor():
    for role in Role.values:
        if role != Role.SYSADMIN:
            assert frozenset({"sysadmin", role}) in ROLE_CONFLICTS
        if role != Role.AUDITOR:
            assert frozenset({"auditor", role}) in ROLE_CONFLICTS
    assert conflicts(["customer_manager", "committee", "customer_office"]) == []


# ---------------------------------------------------------------- defect 15: passwords


def test_the_last_five_passwords_cannot_be_reused(world):
    user = world.bj_cm
    chain = ["Kehu-pass-A1", "Kehu-pass-B2", "Kehu-pass-C3", "Kehu-pass-D4"]
    services.user_set_password(user=user, password=chain[0], actor=user)
    with pytest.raises(InvalidInput) as caught:
        services.user_set_password(user=user, password=PASSWORD, actor=user)  # A→B→A
    assert caught.value.code == "password_reused"
    for password in chain[1:]:
        services.user_set_password(user=user, password=password, actor=user)
    for earlier in [PASSWORD, *chain]:
        with pytest.raises(InvalidInput):
            services.user_set_password(user=user, password=earlier, actor=user)
    services.user_set_password(user=user, password="Kehu-pass-E5", actor=user)
    # Now the original is six passwords back and may come again.
    services.user_set_password(user=user, password=PASSWORD, actor=user)
    assert services.login_attempt(username="bj_cm", password=PASSWORD) == user


def test_administrators_need_twelve_characters(world):
    with pytest.raises(InvalidInput):
        services.user_set_password(user=world.admin, password="Kehu-ad-9x", actor=world.admin)  # 10
    services.user_set_password(user=world.admin, password="Kehu-admin-9x", actor=world.admin)  # 13
    with pytest.raises(InvalidInput):
        services.user_create(username="admin3", org_code="HQ", roles=["sysadmin"], password="Kehu-ad-9x",
                             actor=world.admin)
    services.user_create(username="cm9", org_code="BJ", roles=["customer_manager"], password="Kehu-cm-9x",
                         actor=world.admin)  # 10 characters are enough for the others


# ---------------------------------------------------------------- defect 14: scoped audit rows


def test_a_branch_auditor_reads_only_the_rows_of_its_subtree(world):
    services.login_attempt(username="bj_cm", password=PASSWORD, ip="10.9.0.1")
    services.login_attempt(username="sh_cm", password=PASSWORD, ip="10.9.0.2")
    with transaction.atomic():
        audit_record(actor=world.sh_cm, event_code=Event.ADMIN_CHANGE, object_type="export", object_id=1)
        audit_record(actor=None, event_code=Event.ADMIN_CHANGE, object_type="system", object_id=1)
    bj = audit_queryset(world.bj_auditor)
    hq = audit_queryset(world.hq_auditor)
    assert bj.filter(org_path__startswith="/HQ/BJ/").count() == bj.count() > 0
    assert not bj.filter(actor_name="sh_cm").exists()
    assert not bj.filter(object_type="system").exists()
    assert hq.filter(actor_name="sh_cm", event_code=Event.LOGIN_OK).exists()
    assert hq.filter(object_type="system").exists()
    assert hq.count() == AuditEvent.objects.count()
    login = AuditEvent.objects.filter(event_code=Event.LOGIN_OK, actor_name="bj_cm").get()
    assert login.org_path == "/HQ/BJ/"
