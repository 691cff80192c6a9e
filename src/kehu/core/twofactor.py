"""The second factor: TOTP (RFC 6238, an authenticator app) with QR enrolment and recovery codes.

Required for system administrators and auditors (domain spec I-10: MFA for admins), and for unmasking or
exporting personal data beyond ``sec.mfa_unmask_threshold`` / ``sec.mfa_export_threshold``; optional for
everyone else. pyotp computes the codes; segno draws the enrolment QR as SVG on the server. The shared
secret is encrypted at rest like personal data; recovery codes are kept only as password hashes.
"""

from __future__ import annotations

import hmac
import io
import secrets

import pyotp
from django.contrib.auth.hashers import check_password, make_password
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kehu.core.audit import Event, audit_record
from kehu.core.errors import Conflict, InvalidInput, SecondFactorRequired
from kehu.core.models import RecoveryCode, Role, User
from kehu.core.params import get_param
from kehu.core.selectors import access_for

ISSUER = "kehu"
RECOVERY_CODES = 10
SESSION_VERIFIED = "kehu_2fa_at"  # set in a session that logged in with the second factor


def required_for(user: User) -> bool:
    """System administrators and auditors must use the second factor (domain spec I-10)."""

    return bool(access_for(user).roles() & {Role.SYSADMIN, Role.AUDITOR}) or user.is_superuser


def enabled(user: User) -> bool:
    return user.totp_enabled_at is not None and bool(user.totp_secret)


def _totp(secret: str) -> pyotp.TOTP:
    return pyotp.TOTP(secret)


def provisioning_uri(user: User) -> str:
    return _totp(user.totp_secret).provisioning_uri(name=user.get_username(), issuer_name=ISSUER)


def qr_svg(user: User) -> str:
    """The enrolment QR code as an inline SVG document (drawn here, nothing fetched)."""

    # segno loads only when a QR code is drawn
    import segno

    buffer = io.BytesIO()
    segno.make(provisioning_uri(user), error="m").save(buffer, kind="svg", scale=5, border=2, xmldecl=False,
                                                       svgns=True, title=_("Scan with an authenticator app"))
    return buffer.getvalue().decode("utf-8")


@transaction.atomic
def totp_begin(*, user: User) -> str:
    """Give the user a new secret to scan (not in force until a first code confirms it)."""
    locked = User.objects.select_for_update().get(pk=user.pk)
    if enabled(locked):
        raise Conflict(_("The second factor is already on."), code="second_factor_enabled")
    locked.totp_secret = pyotp.random_base32()
    locked.save(update_fields=["totp_secret"])
    secret: str = locked.totp_secret
    user.totp_secret = secret
    return secret


def _code_step(secret: str, code: str, *, after: int | None = None) -> int | None:
    """The time step (30 s) whose code ``code`` is, within one step of now and later than ``after``;
    None if it is no such code. A step once used is refused again (no replay)."""
    code = (code or "").strip().replace(" ", "")
    if not (len(code) == 6 and code.isascii() and code.isdigit()):
        return None
    totp = _totp(secret)
    now = timezone.now()
    current = totp.timecode(now)
    for step in (current - 1, current, current + 1):
        if (after is None or step > after) and hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def _new_recovery_codes(user: User) -> list[str]:
    RecoveryCode.objects.filter(user=user).delete()
    codes = ["-".join(secrets.token_hex(3) for _ in range(3)) for _ in range(RECOVERY_CODES)]
    now = timezone.now()
    RecoveryCode.objects.bulk_create(RecoveryCode(user=user, code_hash=make_password(c), created_at=now)
                                     for c in codes)
    return codes


@transaction.atomic
def totp_confirm(*, user: User, code: str) -> list[str]:
    """Switch the second factor on with a first code from the app; return the recovery codes (shown once)."""
    locked = User.objects.select_for_update().get(pk=user.pk)
    if enabled(locked):
        raise Conflict(_("The second factor is already on."), code="second_factor_enabled")
    step = _code_step(locked.totp_secret, code) if locked.totp_secret else None
    if step is None:
        raise InvalidInput(_("The code is not right; check the time of your phone and try again."), field="code",
                           code="bad_code")
    locked.totp_enabled_at = timezone.now()
    locked.totp_last_step = step
    locked.save(update_fields=["totp_enabled_at", "totp_last_step"])
    user.totp_enabled_at = locked.totp_enabled_at
    codes = _new_recovery_codes(locked)
    audit_record(actor=locked, event_code=Event.SECOND_FACTOR_ENABLED, object_type="user", object_id=locked.pk)
    return codes


@transaction.atomic
def totp_disable(*, user: User, actor: User) -> None:
    """Switch the second factor off (the user, if not required to have it; or a user manager, to re-enrol)."""
    if actor.pk == user.pk and required_for(user):
        raise InvalidInput(_("Your roles require the second factor; it cannot be switched off."),
                           code="second_factor_required")
    User.objects.filter(pk=user.pk).update(totp_secret="", totp_enabled_at=None, totp_last_step=None)
    RecoveryCode.objects.filter(user=user).delete()
    user.totp_secret, user.totp_enabled_at = "", None
    audit_record(actor=actor, event_code=Event.SECOND_FACTOR_DISABLED, object_type="user", object_id=user.pk)


@transaction.atomic
def recovery_codes_renew(*, user: User) -> list[str]:
    if not enabled(user):
        raise Conflict(_("The second factor is off."), code="second_factor_off")
    return _new_recovery_codes(user)


def verify(*, user: User, code: str, ip: str = "") -> bool:
    """Check a code from the app, or an unused recovery code (then spent). Failures are audited and count
    toward the login throttle of the user's name like wrong passwords."""
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        step = _code_step(locked.totp_secret, code, after=locked.totp_last_step) if enabled(locked) else None
        if step is not None:
            User.objects.filter(pk=locked.pk).update(totp_last_step=step)
            return True
        cleaned = (code or "").strip().lower()
        if enabled(locked) and len(cleaned) == 20:
            for row in RecoveryCode.objects.select_for_update().filter(user=locked, used_at__isnull=True):
                if check_password(cleaned, row.code_hash):
                    row.used_at = timezone.now()
                    row.save(update_fields=["used_at"])
                    audit_record(actor=locked, event_code=Event.RECOVERY_CODE_USED, object_type="user",
                                 object_id=locked.pk, ip=ip)
                    return True
        audit_record(actor=locked, event_code=Event.SECOND_FACTOR_FAILED, object_type="user", object_id=locked.pk,
                     ip=ip)
    return False


def require_for_pii(*, user: User, verified: bool, rows: int, threshold_param: str) -> None:
    """Refuse unmasking or exporting more than the threshold of personal data without the second factor.

    ``verified`` says whether the caller's session logged in with the second factor (API tokens never
    have)."""

    if rows > int(get_param(threshold_param)) and not verified:
        raise SecondFactorRequired()
