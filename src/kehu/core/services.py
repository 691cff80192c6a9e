"""Writes for core: org units, users and roles, login and lockout, API tokens, parameters.

Each function is one transaction that writes its audit row; ``actor`` is None only for system jobs
and operator CLI bootstrap.
"""

from __future__ import annotations

import hashlib
import secrets
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from django.contrib.auth.hashers import check_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kehu.core.audit import Event, audit_record
from kehu.core.duties import check_roles
from kehu.core.errors import (
    AccountLocked,
    Conflict,
    InvalidInput,
    LoginThrottled,
    NotFound,
    PermissionDenied,
    SelfApprovalNotAllowed,
)
from kehu.core.models import (
    ApiToken,
    Department,
    LoginThrottle,
    OrgUnit,
    PasswordHistory,
    Role,
    RoleAssignment,
    RuleParameter,
    User,
)
from kehu.core.params import REGISTRY, get_param
from kehu.core.permissions import Perm
from kehu.core.rules import throttle_delay_seconds
from kehu.core.scheduler import Job, daily_slot
from kehu.core.selectors import access_for, token_holder

if TYPE_CHECKING:
    from kehu.core.scheduler import Job

CODE_CHARS = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")


@transaction.atomic
def org_unit_create(*, code: str, name: str, parent_code: str | None = None, actor: User | None) -> OrgUnit:
    code = (code or "").strip()
    name = (name or "").strip()
    if not code or len(code) > 32 or not set(code) <= CODE_CHARS:
        raise InvalidInput(_("An org unit code is 1-32 letters, digits, '-' or '_'."), field="code")
    if not name:
        raise InvalidInput(_("An org unit needs a name."), field="name")
    parent = None
    if parent_code:
        parent = OrgUnit.objects.filter(code=parent_code).first()
        if parent is None:
            raise NotFound(_("Parent org unit %(code)s does not exist.") % {"code": parent_code})
    if OrgUnit.objects.filter(code=code).exists():
        raise Conflict(_("Org unit %(code)s already exists.") % {"code": code}, code="duplicate")
    unit = OrgUnit(code=code, name=name, parent=parent, path=(parent.path if parent else "/") + code + "/")
    unit.full_clean()
    unit.save()
    audit_record(
        actor=actor, event_code=Event.ORG_CREATED, object_type="org_unit", object_id=unit.pk,
        new={"code": code, "name": name, "parent": parent_code},
    )
    return unit


def _is_admin(user: User, roles: list[str] | set[str] | None = None) -> bool:
    """Administrators (system administrators, staff of the Django admin) get the longer password rule."""
    if roles is None:
        roles = set(RoleAssignment.objects.filter(user=user).values_list("role", flat=True)) if user.pk else set()
    return bool(user.is_staff or user.is_superuser or Role.SYSADMIN in roles)


def _check_password(password: str, user: User | None = None, *, admin: bool = False) -> None:
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise InvalidInput(" ".join(str(m) for m in exc.messages), field="password", code="weak_password") from None
    minimum = int(get_param("sec.admin_password_min_length"))
    if admin and len(password) < minimum:
        raise InvalidInput(_("An administrator's password has at least %(n)d characters.") % {"n": minimum},
                           field="password", code="weak_password")


def _check_reuse(user: User, password: str) -> None:
    """Refuse any of the user's most recent passwords (domain spec I-10: the last 5)."""

    keep = int(get_param("sec.password_history"))
    earlier = list(PasswordHistory.objects.filter(user=user).values_list("password", flat=True)[:keep])
    if user.has_usable_password() and user.password not in earlier:
        earlier = [user.password, *earlier][:keep]
    if any(check_password(password, hashed) for hashed in earlier):
        raise InvalidInput(_("This password was used recently; choose one not among your last %(n)d.") % {"n": keep},
                           field="password", code="password_reused")


def _remember_password(user: User) -> None:
    keep = int(get_param("sec.password_history"))
    PasswordHistory.objects.create(user=user, password=user.password,
                                   created_at=user.password_changed_at or timezone.now())
    stale = PasswordHistory.objects.filter(user=user).values_list("pk", flat=True)[keep:]
    PasswordHistory.objects.filter(pk__in=list(stale)).delete()


# The password whose one hash user_create reuses, and that hash once made (see shared_password_hash()).
_shared_hash = threading.local()


@contextmanager
def shared_password_hash(password: str) -> Iterator[None]:
    """Within the block, every user that :func:`user_create` gives ``password`` gets one hash of it, made once.

    For the demo, whose fifty logins share one printed password: Argon2 takes most of a second per hash, so
    hashing it again for each login was half a minute of ``kehu demo``. Each password is still checked
    against each user (validators, the administrators' length) as before; only the hash, salt included, is
    shared, which tells nothing that the printed password does not. Nested blocks share the outer one's."""
    if getattr(_shared_hash, "password", None) is not None:
        yield
        return
    _shared_hash.password, _shared_hash.encoded = password, None
    try:
        yield
    finally:
        _shared_hash.password = _shared_hash.encoded = None


def _set_password(user: User, password: str) -> None:
    if password != getattr(_shared_hash, "password", None):
        user.set_password(password)
        return
    if _shared_hash.encoded is None:
        user.set_password(password)
        _shared_hash.encoded = user.password
    else:
        user.password = _shared_hash.encoded


@transaction.atomic
def user_create(
    *,
    username: str,
    org_code: str,
    roles: list[str],
    password: str | None = None,
    display_name: str = "",
    department: str = "",
    own_customers_only: bool = False,
    is_staff_admin: bool = False,
    actor: User | None,
) -> User:
    username = (username or "").strip()
    if not username or len(username) > 150 or not set(username) <= CODE_CHARS | {".", "@"}:
        raise InvalidInput(_("A username is 1-150 letters, digits or . @ - _."), field="username")
    unit = OrgUnit.objects.filter(code=org_code).first()
    if unit is None:
        raise NotFound(_("Org unit %(code)s does not exist.") % {"code": org_code})
    for role in roles:
        if role not in Role.values:
            raise InvalidInput(
                _("Unknown role %(role)s; choose from %(roles)s.") % {"role": role, "roles": ", ".join(Role.values)},
                field="role",
            )
    if department and department not in Department.values:
        raise InvalidInput(
            _("Unknown department %(d)s; choose from %(ds)s.") % {"d": department, "ds": ", ".join(Department.values)},
            field="department",
        )
    if department and Role.DEPT_REVIEWER not in roles:
        raise InvalidInput(_("Only a department reviewer has a department."), field="department")
    check_roles(roles)
    if User.objects.filter(username=username).exists():
        raise Conflict(_("User %(u)s already exists.") % {"u": username}, code="duplicate")
    user = User(username=username, org_unit=unit, display_name=display_name or username)
    user.is_staff = is_staff_admin or Role.SYSADMIN in roles
    if password:
        _check_password(password, user, admin=_is_admin(user, roles))
        _set_password(user, password)
        user.password_changed_at = timezone.now()
    else:
        user.set_unusable_password()
    user.save()
    if password:
        _remember_password(user)
    for role in roles:
        RoleAssignment.objects.create(
            user=user, role=role, org_unit=unit,
            department=department if role == Role.DEPT_REVIEWER else "",
            own_customers_only=own_customers_only if role == Role.CUSTOMER_MANAGER else False,
        )
    audit_record(
        actor=actor, event_code=Event.USER_CREATED, object_type="user", object_id=user.pk,
        new={"username": username, "org": org_code, "roles": roles, "department": department},
    )
    return user


@transaction.atomic
def role_grant(
    *, user: User, role: str, org_code: str, department: str = "", own_customers_only: bool = False,
    actor: User | None,
) -> RoleAssignment:
    if actor is not None:
        _require_user_manager(actor)
        if actor.pk == user.pk and not actor.is_superuser:

            raise PermissionDenied(_("You cannot change your own roles."))
    if role not in Role.values:
        raise InvalidInput(_("Unknown role %(role)s.") % {"role": role}, field="role")
    unit = OrgUnit.objects.filter(code=org_code).first()
    if unit is None:
        raise NotFound(_("Org unit %(code)s does not exist.") % {"code": org_code})
    if department and (role != Role.DEPT_REVIEWER or department not in Department.values):
        raise InvalidInput(_("A department goes only with the department-reviewer role."), field="department")
    # Lock the user so that two grants at once cannot each miss the other's conflicting role.
    User.objects.select_for_update().filter(pk=user.pk).first()
    check_roles({role, *RoleAssignment.objects.filter(user=user).values_list("role", flat=True)})
    try:
        with transaction.atomic():
            grant = RoleAssignment.objects.create(
                user=user, role=role, org_unit=unit, department=department, own_customers_only=own_customers_only
            )
    except IntegrityError:
        raise Conflict(_("The user already holds this role there."), code="duplicate") from None
    audit_record(
        actor=actor, event_code=Event.ROLE_GRANTED, object_type="user", object_id=user.pk,
        new={"role": role, "org": org_code, "department": department, "own_only": own_customers_only},
    )
    return grant


@transaction.atomic
def user_set_password(*, user: User, password: str, actor: User | None) -> None:
    locked = User.objects.select_for_update().get(pk=user.pk)
    _check_password(password, locked, admin=_is_admin(locked))
    _check_reuse(locked, password)
    locked.set_password(password)
    locked.password_changed_at = timezone.now()
    locked.save(update_fields=["password", "password_changed_at"])
    _remember_password(locked)
    user.password = locked.password
    user.password_changed_at = locked.password_changed_at
    audit_record(actor=actor, event_code=Event.PASSWORD_CHANGED, object_type="user", object_id=user.pk)


def _wait_text(seconds: float) -> str:
    seconds = max(1, int(seconds + 0.999))
    if seconds < 120:
        return _("%(n)d seconds") % {"n": seconds}
    return _("%(n)d minutes") % {"n": (seconds + 59) // 60}


def _throttle_rows(keys: list[str], now: datetime) -> dict[str, LoginThrottle]:
    """Lock (creating if need be) the throttle rows of ``keys``, in key order so that two logins never
    wait for each other's rows crosswise."""
    rows = {}
    for key in sorted(keys):
        row = LoginThrottle.objects.select_for_update().filter(key=key).first()
        if row is None:
            try:
                with transaction.atomic():
                    LoginThrottle.objects.create(key=key, failures=0, last_failure_at=now)
            except IntegrityError:
                pass  # a parallel login created it first
            row = LoginThrottle.objects.select_for_update().get(key=key)
        rows[key] = row
    return rows


def login_attempt(*, username: str, password: str, ip: str = "", channel: str = "web") -> User | None:
    """Check a password with throttling and lockout. Return the user, or None for bad credentials.

    Failures are counted per username typed (``user:…``, whether or not the account exists) and per
    client address (``ip:…``). After the free failures each further one doubles the wait of that name
    or address; the ``sec.lockout_failures``-th failure of a name locks it for ``sec.lockout_minutes``.
    While a name or address waits, no password is checked and nothing is counted, so a lock ends when
    its time is up however often someone keeps trying, and the answer (:class:`LoginThrottled` or
    :class:`AccountLocked`, each saying how long) is the same for unknown and real usernames.

    The rows are locked while the password is checked, so parallel guesses are counted one after
    another and none slips past the limit.
    """
    max_failures = int(get_param("sec.lockout_failures"))
    lock_minutes = int(get_param("sec.lockout_minutes"))
    window = timedelta(minutes=int(get_param("sec.throttle_window_minutes")))
    base = int(get_param("sec.throttle_base_seconds"))
    name_key = "user:" + (username or "")[:150].lower()
    ip_key = "ip:" + (ip or "-")[:64]
    outcome: Exception | None = None
    with transaction.atomic():
        now = timezone.now()
        rows = _throttle_rows([name_key, ip_key], now)
        user: User | None = User.objects.select_for_update().filter(username=username).first()
        waits = [row.blocked_until for row in rows.values() if row.blocked_until and row.blocked_until > now]
        if user is not None and user.locked_until and user.locked_until > now:
            waits.append(user.locked_until)
        if waits:
            until = max(waits)
            locked = rows[name_key].failures == 0 and rows[name_key].blocked_until == until or (
                user is not None and user.locked_until == until)
            if user is not None:
                audit_record(actor=user, event_code=Event.LOGIN_FAILED, object_type="user", object_id=user.pk,
                             reason="locked" if locked else "throttled", ip=ip, channel=channel)
            message = (_("The account is locked after too many failed logins; try again in %(wait)s.") if locked
                       else _("Too many failed logins; try again in %(wait)s."))
            outcome = (AccountLocked if locked else LoginThrottled)(message % {"wait": _wait_text(
                (until - now).total_seconds())})
        elif user is not None and user.is_active and user.check_password(password):
            user.failed_logins = 0
            user.locked_until = None
            user.last_login = now
            user.save(update_fields=["failed_logins", "locked_until", "last_login"])
            # A success clears the name's count, not the address's: an attacker's own good login does
            # not buy more guesses at other accounts.
            LoginThrottle.objects.filter(key=name_key).update(failures=0, blocked_until=None)
            audit_record(actor=user, event_code=Event.LOGIN_OK, object_type="user", object_id=user.pk,
                         ip=ip, channel=channel)
            return user
        else:
            if user is None:
                # Hash anyway so that response time does not reveal which usernames exist.
                User().set_password(password)
            just_locked = False
            for key, row in rows.items():
                if row.failures and row.last_failure_at < now - window:
                    row.failures = 0  # forgotten: no failure for a whole window
                row.failures += 1
                row.last_failure_at = now
                if key == name_key:
                    free, cap = int(get_param("sec.throttle_free_failures")), lock_minutes * 60
                else:
                    free, cap = int(get_param("sec.ip_free_failures")), int(get_param("sec.ip_max_delay_seconds"))
                delay = throttle_delay_seconds(row.failures, free=free, base=base, cap=cap)
                row.blocked_until = now + timedelta(seconds=delay) if delay else None
                if key == name_key and row.failures >= max_failures:
                    row.blocked_until = now + timedelta(minutes=lock_minutes)
                    row.failures = 0
                    just_locked = True
                row.save(update_fields=["failures", "last_failure_at", "blocked_until"])
            if user is not None:
                # The account shows the count and the lock of its name (the admin lists them).
                user.failed_logins = rows[name_key].failures
                user.locked_until = rows[name_key].blocked_until if just_locked else user.locked_until
                audit_record(actor=user, event_code=Event.LOGIN_FAILED, object_type="user", object_id=user.pk,
                             new={"failed_logins": user.failed_logins or max_failures}, ip=ip, channel=channel)
                if just_locked:
                    audit_record(actor=user, event_code=Event.ACCOUNT_LOCKED, object_type="user",
                                 object_id=user.pk, new={"locked_until": user.locked_until.isoformat() if user.locked_until else None}, ip=ip,
                                 channel=channel)
                user.save(update_fields=["failed_logins", "locked_until"])
    if outcome is not None:
        raise outcome
    return None


def login_throttle_purge(*, now: datetime | None = None) -> int:
    """Delete the throttle rows that no longer count (no failure for a window, no wait running); a daily
    job, so the table holds only the names and addresses of recent failures."""
    now = now or timezone.now()
    window = timedelta(minutes=int(get_param("sec.throttle_window_minutes")))

    stale = LoginThrottle.objects.filter(last_failure_at__lt=now - window).filter(
        Q(blocked_until__isnull=True) | Q(blocked_until__lt=now))
    deleted, _by_model = stale.delete()
    return deleted


@transaction.atomic
def user_logout(*, user: User, ip: str = "", channel: str = "web") -> None:
    """Record a logout, so that a session's end is in the audit log beside its start."""
    audit_record(actor=user, event_code=Event.LOGOUT, object_type="user", object_id=user.pk, ip=ip, channel=channel)


@transaction.atomic
def user_unlock(*, user: User, actor: User | None) -> None:
    User.objects.filter(pk=user.pk).update(failed_logins=0, locked_until=None)
    LoginThrottle.objects.filter(key="user:" + user.username.lower()).update(failures=0, blocked_until=None)
    audit_record(actor=actor, event_code=Event.USER_UPDATED, object_type="user", object_id=user.pk,
                 new={"unlocked": True})


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def account_refusal(user: User, *, now: datetime | None = None) -> str | None:
    """Why the account may not be used now (the checks of a login, applied to API tokens too), or None:
    ``inactive``, ``locked`` or ``password_expired``."""
    now = now or timezone.now()
    if not user.is_active:
        return "inactive"
    if user.locked_until and user.locked_until > now:
        return "locked"
    if user.has_usable_password() and user.password_changed_at is not None:
        max_age = int(get_param("sec.password_max_age_days"))
        if user.password_changed_at + timedelta(days=max_age) < now:
            return "password_expired"
    return None


@transaction.atomic
def token_create(*, user: User, name: str = "", days: int | None = None, actor: User | None) -> str:
    """Create an API token for ``user`` and return it; only its hash is kept. Without ``days`` it lives
    ``sec.token_default_days``; a token never outlives that default by accident."""
    if account_refusal(user) is not None:
        raise InvalidInput(_("The user's account is deactivated, locked or its password expired."),
                           field="username", code="account_unusable")
    if days is not None and not (1 <= days <= 3650):
        raise InvalidInput(_("A token lives 1 to 3650 days."), field="days")
    if actor is not None and actor.pk != user.pk:
        _require_user_manager(actor)
    days = days or int(get_param("sec.token_default_days"))
    token = "kehu_" + secrets.token_urlsafe(32)
    ApiToken.objects.create(
        user=user, name=(name or "")[:100], prefix=token[:12], key_hash=_hash_token(token),
        expires_at=timezone.now() + timedelta(days=days),
    )
    audit_record(actor=actor, event_code=Event.TOKEN_CREATED, object_type="user", object_id=user.pk,
                 new={"prefix": token[:12], "name": name, "days": days})
    return token


# last_used_at is written at most this often per token, not on every request.
TOKEN_TOUCH_SECONDS = 60


def token_authenticate(token: str, *, ip: str = "") -> User | None:
    """The user of a valid token, or None: unknown, revoked or expired tokens, and tokens of accounts a
    login would refuse (deactivated, locked, password expired)."""
    if not token or len(token) > 200:
        return None
    # One statement: the token, its user, the user's org unit and grants, all read now (no cache across
    # requests: a revocation, deactivation, lock or role change counts from the next request on).
    row = token_holder(_hash_token(token))
    now = timezone.now()
    if row is None:
        return None
    if row.expires_at and row.expires_at <= now:
        return None
    if account_refusal(row.user, now=now) is not None:
        return None
    if row.last_used_at is None or (now - row.last_used_at).total_seconds() >= TOKEN_TOUCH_SECONDS:
        ApiToken.objects.filter(pk=row.token_id).update(last_used_at=now)
    return row.user


def _require_user_manager(actor: User) -> None:
    if not actor.is_superuser and not access_for(actor).has(Perm.USER_MANAGE):
        raise PermissionDenied()


@transaction.atomic
def token_revoke(*, token_id: int, actor: User | None) -> None:
    """Revoke a token: its owner may, and a user manager (sysadmin) may revoke anyone's."""
    row = ApiToken.objects.select_for_update().filter(pk=token_id, revoked_at__isnull=True).first()
    if row is None:
        raise NotFound()
    if actor is not None and actor.pk != row.user_id:

        try:
            _require_user_manager(actor)
        except PermissionDenied:
            raise NotFound() from None  # another user's token does not exist for you
    row.revoked_at = timezone.now()
    row.save(update_fields=["revoked_at"])
    audit_record(actor=actor, event_code=Event.TOKEN_REVOKED, object_type="user", object_id=row.user_id,
                 new={"prefix": row.prefix})


def _require_param_manager(actor: User | None) -> None:
    # Parameters change rules for everyone: only a parameter manager (sysadmin role) or a system job,
    # and the Django superuser who bootstraps an installation, may propose or approve them.
    from kehu.core.permissions import Perm

    if actor is not None and not actor.is_superuser and not access_for(actor).has(Perm.PARAM_MANAGE):

        raise PermissionDenied()


@transaction.atomic
def parameter_propose(
    *, code: str, value: Any, effective_from: date, reason: str = "", actor: User | None
) -> RuleParameter:
    _require_param_manager(actor)
    spec = REGISTRY.get(code)
    if spec is None:
        raise InvalidInput(_("Unknown parameter %(code)s.") % {"code": code}, field="code")
    if not isinstance(value, spec.kind) or isinstance(value, bool) and spec.kind is not bool:
        raise InvalidInput(_("Parameter %(code)s has the wrong type of value.") % {"code": code}, field="value")
    row = RuleParameter.objects.create(
        code=code, value=value, unit=spec.unit, provenance=spec.provenance, source_ref=spec.source_ref,
        effective_from=effective_from, proposed_by=actor, reason=reason,
    )
    audit_record(actor=actor, event_code=Event.PARAM_PROPOSED, object_type="rule_parameter", object_id=row.pk,
                 new={"code": code, "value": value, "effective_from": effective_from.isoformat()}, reason=reason)
    return row


@transaction.atomic
def parameter_approve(*, parameter_id: int, actor: User) -> RuleParameter:
    _require_param_manager(actor)
    row = RuleParameter.objects.select_for_update().filter(pk=parameter_id).first()
    if row is None:
        raise NotFound()
    if row.status != RuleParameter.Status.PENDING:
        raise Conflict(_("This parameter change is already decided."), code="invalid_transition")
    if row.proposed_by_id == actor.pk:
        raise SelfApprovalNotAllowed()
    old = get_param(row.code, on=row.effective_from)
    row.status = RuleParameter.Status.APPROVED
    row.approved_by = actor
    row.approved_at = timezone.now()
    row.save(update_fields=["status", "approved_by", "approved_at"])
    audit_record(actor=actor, event_code=Event.PARAM_APPROVED, object_type="rule_parameter", object_id=row.pk,
                 old={"value": old}, new={"code": row.code, "value": row.value})
    return row


def _make_throttle_purge_job() -> Job:
    return Job("core.login_throttle_purge", gettext_lazy("Purge of old login-throttle rows"),
               lambda now: daily_slot(now, at=time(3, 0)), lambda slot, now: {"deleted": login_throttle_purge()})


THROTTLE_PURGE_JOB = _make_throttle_purge_job()
