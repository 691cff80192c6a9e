"""Writes for core: org units, users and roles, login and lockout, API tokens, parameters.

Each function is one transaction that writes its audit row; ``actor`` is None only for system jobs
and operator CLI bootstrap.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import date, timedelta
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kehu.core.audit import Event, audit_record
from kehu.core.errors import AccountLocked, Conflict, InvalidInput, NotFound, SelfApprovalNotAllowed
from kehu.core.models import ApiToken, Department, OrgUnit, Role, RoleAssignment, RuleParameter, User
from kehu.core.params import REGISTRY, get_param

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


def _check_password(password: str, user: User | None = None) -> None:
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise InvalidInput(" ".join(str(m) for m in exc.messages), field="password", code="weak_password") from None


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
    if User.objects.filter(username=username).exists():
        raise Conflict(_("User %(u)s already exists.") % {"u": username}, code="duplicate")
    user = User(username=username, org_unit=unit, display_name=display_name or username)
    user.is_staff = is_staff_admin or Role.SYSADMIN in roles
    if password:
        _check_password(password, user)
        user.set_password(password)
        user.password_changed_at = timezone.now()
    else:
        user.set_unusable_password()
    user.save()
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
    if role not in Role.values:
        raise InvalidInput(_("Unknown role %(role)s.") % {"role": role}, field="role")
    unit = OrgUnit.objects.filter(code=org_code).first()
    if unit is None:
        raise NotFound(_("Org unit %(code)s does not exist.") % {"code": org_code})
    if department and (role != Role.DEPT_REVIEWER or department not in Department.values):
        raise InvalidInput(_("A department goes only with the department-reviewer role."), field="department")
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
    _check_password(password, user)
    locked = User.objects.select_for_update().get(pk=user.pk)
    locked.set_password(password)
    locked.password_changed_at = timezone.now()
    locked.save(update_fields=["password", "password_changed_at"])
    user.password = locked.password
    user.password_changed_at = locked.password_changed_at
    audit_record(actor=actor, event_code=Event.PASSWORD_CHANGED, object_type="user", object_id=user.pk)


def login_attempt(*, username: str, password: str, ip: str = "", channel: str = "web") -> User | None:
    """Check a password with lockout. Return the user, or None for bad credentials.

    The user row is locked while the password is checked, so parallel guesses are counted one after
    another and none slips past the limit (domain spec I-10: 5 failures lock for 30 minutes).
    """
    max_failures = int(get_param("sec.lockout_failures"))
    lock_minutes = int(get_param("sec.lockout_minutes"))
    outcome: Exception | None = None
    with transaction.atomic():
        user = User.objects.select_for_update().filter(username=username).first()
        if user is None:
            # Hash anyway so that response time does not reveal which usernames exist.
            User().set_password(password)
            return None
        now = timezone.now()
        if user.locked_until and user.locked_until > now:
            audit_record(actor=user, event_code=Event.LOGIN_FAILED, object_type="user", object_id=user.pk,
                         reason="locked", ip=ip, channel=channel)
            outcome = AccountLocked()
        elif user.is_active and user.check_password(password):
            user.failed_logins = 0
            user.locked_until = None
            user.last_login = now
            user.save(update_fields=["failed_logins", "locked_until", "last_login"])
            audit_record(actor=user, event_code=Event.LOGIN_OK, object_type="user", object_id=user.pk,
                         ip=ip, channel=channel)
            return user
        else:
            user.failed_logins += 1
            fields = ["failed_logins"]
            audit_record(actor=user, event_code=Event.LOGIN_FAILED, object_type="user", object_id=user.pk,
                         new={"failed_logins": user.failed_logins}, ip=ip, channel=channel)
            if user.failed_logins >= max_failures:
                user.locked_until = now + timedelta(minutes=lock_minutes)
                user.failed_logins = 0
                fields.append("locked_until")
                audit_record(actor=user, event_code=Event.ACCOUNT_LOCKED, object_type="user", object_id=user.pk,
                             new={"locked_until": user.locked_until.isoformat()}, ip=ip, channel=channel)
            user.save(update_fields=fields)
    if outcome is not None:
        raise outcome
    return None


@transaction.atomic
def user_logout(*, user: User, ip: str = "", channel: str = "web") -> None:
    """Record a logout, so that a session's end is in the audit log beside its start."""
    audit_record(actor=user, event_code=Event.LOGOUT, object_type="user", object_id=user.pk, ip=ip, channel=channel)


@transaction.atomic
def user_unlock(*, user: User, actor: User | None) -> None:
    User.objects.filter(pk=user.pk).update(failed_logins=0, locked_until=None)
    audit_record(actor=actor, event_code=Event.USER_UPDATED, object_type="user", object_id=user.pk,
                 new={"unlocked": True})


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@transaction.atomic
def token_create(*, user: User, name: str = "", days: int | None = None, actor: User | None) -> str:
    """Create an API token for ``user`` and return it; only its hash is kept."""
    if not user.is_active:
        raise InvalidInput(_("The user is not active."), field="username")
    if days is not None and not (1 <= days <= 3650):
        raise InvalidInput(_("A token lives 1 to 3650 days."), field="days")
    token = "kehu_" + secrets.token_urlsafe(32)
    ApiToken.objects.create(
        user=user, name=name, prefix=token[:12], key_hash=_hash_token(token),
        expires_at=timezone.now() + timedelta(days=days) if days else None,
    )
    audit_record(actor=actor, event_code=Event.TOKEN_CREATED, object_type="user", object_id=user.pk,
                 new={"prefix": token[:12], "name": name, "days": days})
    return token


def token_authenticate(token: str) -> User | None:
    if not token or len(token) > 200:
        return None
    row = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=_hash_token(token), revoked_at__isnull=True)
        .first()
    )
    if row is None or not row.user.is_active:
        return None
    if row.expires_at and row.expires_at <= timezone.now():
        return None
    return row.user


@transaction.atomic
def token_revoke(*, token_id: int, actor: User | None) -> None:
    row = ApiToken.objects.select_for_update().filter(pk=token_id, revoked_at__isnull=True).first()
    if row is None:
        raise NotFound()
    row.revoked_at = timezone.now()
    row.save(update_fields=["revoked_at"])
    audit_record(actor=actor, event_code=Event.TOKEN_REVOKED, object_type="user", object_id=row.user_id,
                 new={"prefix": row.prefix})


def _require_param_manager(actor: User | None) -> None:
    # Parameters change rules for everyone: only a parameter manager (sysadmin role) or a system job,
    # and the Django superuser who bootstraps an installation, may propose or approve them.
    from kehu.core.permissions import Perm
    from kehu.core.selectors import access_for

    if actor is not None and not actor.is_superuser and not access_for(actor).has(Perm.PARAM_MANAGE):
        from kehu.core.errors import PermissionDenied

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
