"""Core pages: login, logout, password change, the dashboard with the inbox, and the audit log.

Views stay thin: authenticate, authorize, parse a form, call one service or selector, render.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import logout as auth_logout
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as HttpForbidden
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from kehu.core import services, twofactor
from kehu.core.api import audit_queryset
from kehu.core.audit_display import channel_label, object_label, value_changes
from kehu.core.errors import DomainError, InvalidInput
from kehu.core.errors import PermissionDenied as DomainPermissionDenied
from kehu.core.forms import AuditFilterForm, LoginForm, PasswordChangeForm, event_names
from kehu.core.models import ApiToken, User
from kehu.core.nav import dashboard_actions, dashboard_warnings
from kehu.core.params import get_param
from kehu.core.permissions import Perm
from kehu.core.selectors import access_for

AUDIT_PAGE_SIZE = 50


def healthz(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok", "db": connection.vendor})


def _safe_next(request, candidate: str | None) -> str:
    if candidate and url_has_allowed_host_and_scheme(candidate, allowed_hosts={request.get_host()},
                                                      require_https=request.is_secure()):
        return candidate
    return reverse("dashboard")


@sensitive_post_parameters("password")
@csrf_protect
@never_cache
@require_http_methods(["GET", "POST"])
def login_view(request):
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if request.user.is_authenticated and request.method == "GET":
        return redirect(_safe_next(request, next_url))
    form = LoginForm(request, data=request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        if twofactor.enabled(form.user) or twofactor.required_for(form.user):
            # The password was right; the session is not logged in until the second factor is given
            # (or, for a role that requires it, enrolled).
            request.session.cycle_key()
            request.session[PENDING] = {"user": form.user.pk, "next": next_url, "at": timezone.now().timestamp(),
                                        "tries": 0}
            return redirect("login_code")
        auth_login(request, form.user)
        return redirect(_safe_next(request, next_url))
    status = 400 if form.is_bound else 200
    return render(request, "core/login.html", {"form": form, "next": next_url}, status=status)


PENDING = "kehu_2fa_pending"
PENDING_SECONDS = 300
PENDING_TRIES = 5


def _pending_user(request):
    pending = request.session.get(PENDING)
    if not pending or timezone.now().timestamp() - pending["at"] > PENDING_SECONDS or pending["tries"] >= PENDING_TRIES:
        request.session.pop(PENDING, None)
        return None, None
    return User.objects.filter(pk=pending["user"], is_active=True).first(), pending


def _finish_login(request, user, pending):
    request.session.pop(PENDING, None)
    auth_login(request, user, backend="kehu.core.auth.LockoutBackend")
    request.session[twofactor.SESSION_VERIFIED] = timezone.now().timestamp()


@sensitive_post_parameters("code")
@csrf_protect
@never_cache
@require_http_methods(["GET", "POST"])
def login_code(request):
    """The second step of a login: a code from the authenticator app (or a recovery code); a user whose
    role requires the factor and who has none yet enrols here first (QR code, then a first code)."""
    user, pending = _pending_user(request)
    if user is None:
        messages.error(request, _("Log in again: the first step has expired."))
        return redirect("login")
    enrolling = not twofactor.enabled(user)
    if enrolling and not user.totp_secret:
        twofactor.totp_begin(user=user)
    error = None
    if request.method == "POST":
        code = request.POST.get("code", "")[:64]
        pending["tries"] += 1
        request.session[PENDING] = pending
        if enrolling:
            try:
                codes = twofactor.totp_confirm(user=user, code=code)
            except InvalidInput as exc:
                error = str(exc.message)
            else:
                _finish_login(request, user, pending)
                return render(request, "core/recovery_codes.html", {
                    "codes": codes, "next": _safe_next(request, pending.get("next"))})
        elif twofactor.verify(user=user, code=code, ip=request.META.get("REMOTE_ADDR", "")):
            _finish_login(request, user, pending)
            return redirect(_safe_next(request, pending.get("next")))
        else:
            error = _("The code is not right; check the time of your phone and try again.")
    context = {"enrolling": enrolling, "error": error, "username": user.get_username()}
    if enrolling:
        context.update(qr=twofactor.qr_svg(user), secret=user.totp_secret)
    return render(request, "core/login_code.html", context, status=400 if error else 200)


@login_required
@require_http_methods(["GET", "POST"])
def account_security(request):
    """The user's own second factor and API tokens: enrol or switch off the factor, renew recovery codes,
    see each token's expiry and last use, revoke one."""
    user = request.user
    context = {"required": twofactor.required_for(user), "enabled": twofactor.enabled(user)}
    action = request.POST.get("action") if request.method == "POST" else None
    try:
        if action == "enrol":
            if not user.totp_secret or not twofactor.enabled(user):
                twofactor.totp_begin(user=user)
            context.update(enrolling=True, qr=twofactor.qr_svg(user), secret=user.totp_secret)
        elif action == "confirm":
            codes = twofactor.totp_confirm(user=user, code=request.POST.get("code", "")[:64])
            request.session[twofactor.SESSION_VERIFIED] = timezone.now().timestamp()
            return render(request, "core/recovery_codes.html", {"codes": codes, "next": reverse("account_security")})
        elif action == "disable":
            twofactor.totp_disable(user=user, actor=user)
            messages.success(request, _("The second factor is off."))
            return redirect("account_security")
        elif action == "renew":
            codes = twofactor.recovery_codes_renew(user=user)
            return render(request, "core/recovery_codes.html", {"codes": codes, "next": reverse("account_security")})
        elif action == "revoke":
            services.token_revoke(token_id=_int(request.POST.get("token")), actor=user)
            messages.success(request, _("The token is revoked."))
            return redirect("account_security")
    except DomainError as exc:
        messages.error(request, str(exc.message))
        if action == "confirm" and user.totp_secret:
            context.update(enrolling=True, qr=twofactor.qr_svg(user), secret=user.totp_secret)
    context["tokens"] = ApiToken.objects.filter(user=user).order_by("-created_at")
    context["now"] = timezone.now()
    return render(request, "core/account_security.html", context)


def _int(value) -> int:
    try:
        number = int(value or "")
    except ValueError:
        raise InvalidInput(_("Choose a token.")) from None
    if not 0 < number < 2**63:
        raise InvalidInput(_("Choose a token."))
    return number


@login_required
@require_http_methods(["GET", "POST"])
def tokens_all(request):
    """Every API token, for the system administrator: owner, expiry, last use; revoke any."""
    if not access_for(request.user).has(Perm.USER_MANAGE):
        raise HttpForbidden(_("Only system administrators see every token."))
    if request.method == "POST":
        try:
            services.token_revoke(token_id=_int(request.POST.get("token")), actor=request.user)
        except DomainError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(request, _("The token is revoked."))
        return redirect("tokens_all")
    tokens = ApiToken.objects.select_related("user").order_by("revoked_at", "-created_at")[:500]
    return render(request, "core/tokens_all.html", {"tokens": tokens, "now": timezone.now()})


@require_http_methods(["GET", "POST"])
def logout_view(request):
    # Logging out changes state, so it is a POST; a GET only shows the button (a link cannot log you out).
    if request.method == "POST":
        if request.user.is_authenticated:
            services.user_logout(user=request.user, ip=request.META.get("REMOTE_ADDR", ""))
        auth_logout(request)
        messages.info(request, _("You have logged out."))
        return redirect("login")
    return render(request, "core/logout.html")


@sensitive_post_parameters("old_password", "new_password1", "new_password2")
@login_required
@require_http_methods(["GET", "POST"])
def password_change(request):
    form = PasswordChangeForm(request.user, data=request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.user_set_password(user=request.user, password=form.cleaned_data["new_password1"],
                                       actor=request.user)
        except InvalidInput as exc:
            form.add_error("new_password1", str(exc.message))
        else:
            update_session_auth_hash(request, request.user)
            messages.success(request, _("Your password has been changed."))
            return redirect("dashboard")
    status = 400 if form.is_bound else 200
    return render(request, "core/password_change.html", {
        "form": form, "max_age_days": get_param("sec.password_max_age_days")}, status=status)


@login_required
def dashboard(request):
    # Every module adds its pending work through kehu.core.inbox (registered in its AppConfig.ready()).
    from kehu.core.inbox import inbox_for

    access = access_for(request.user)
    sections = inbox_for(request.user)

    return render(request, "core/dashboard.html", {
        "warnings": dashboard_warnings(request.user, access),
        "actions": dashboard_actions(access),
        "sections": sections,
        "total": sum(s.count for s in sections),
    })


@login_required
def audit_log(request):
    if not access_for(request.user).has(Perm.AUDIT_VIEW):
        raise HttpForbidden(_("Only auditors read the audit log."))
    form = AuditFilterForm(request.GET or None)
    rows, next_before = [], None
    if not form.is_bound or form.is_valid():
        data = form.cleaned_data if form.is_bound else {}
        since, until = form.time_range() if form.is_bound else (None, None)
        try:
            queryset = audit_queryset(request.user, customer_id=data.get("customer_id"),
                                      actor=data.get("actor") or None, event_code=data.get("event_code"),
                                      since=since, until=until)
        except DomainPermissionDenied:
            raise HttpForbidden() from None
        queryset = queryset.select_related("actor")
        if data.get("before"):
            queryset = queryset.filter(pk__lt=data["before"])
        # Keyset pagination: one row more than a page tells whether there is a next page, no COUNT.
        rows = list(queryset[: AUDIT_PAGE_SIZE + 1])
        if len(rows) > AUDIT_PAGE_SIZE:
            rows = rows[:AUDIT_PAGE_SIZE]
            next_before = rows[-1].pk

    names = event_names()
    for row in rows:
        row.label = names.get(row.event_code, row.event)
        row.object_label = object_label(row.object_type, row.object_id)
        row.changes = value_changes(row.object_type, row.old_values, row.new_values)
        row.channel_label = channel_label(row.channel)
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "core/audit_log.html", {"form": form, "rows": rows, "next_before": next_before},
                  status=status)
