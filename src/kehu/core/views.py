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
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from kehu.core import services
from kehu.core.errors import InvalidInput
from kehu.core.errors import PermissionDenied as DomainPermissionDenied
from kehu.core.forms import AuditFilterForm, LoginForm, PasswordChangeForm
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
        auth_login(request, form.user)
        return redirect(_safe_next(request, next_url))
    status = 400 if form.is_bound else 200
    return render(request, "core/login.html", {"form": form, "next": next_url}, status=status)


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
        "sections": sections,
        "can_view_customers": access.has(Perm.CUSTOMER_VIEW),
        "can_create": access.has(Perm.CUSTOMER_CREATE),
        "total": sum(s.count for s in sections),
    })


@login_required
def audit_log(request):
    from kehu.core.api import audit_queryset

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
    from kehu.core.audit_display import channel_label, object_label, value_changes
    from kehu.core.forms import event_names

    names = event_names()
    for row in rows:
        row.label = names.get(row.event_code, row.event)
        row.object_label = object_label(row.object_type, row.object_id)
        row.changes = value_changes(row.object_type, row.old_values, row.new_values)
        row.channel_label = channel_label(row.channel)
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "core/audit_log.html", {"form": form, "rows": rows, "next_before": next_before},
                  status=status)
