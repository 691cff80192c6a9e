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
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from kehu.core import services
from kehu.core.errors import InvalidInput
from kehu.core.errors import PermissionDenied as DomainPermissionDenied
from kehu.core.forms import EVENT_LABELS, AuditFilterForm, LoginForm, PasswordChangeForm
from kehu.core.params import get_param
from kehu.core.permissions import Perm
from kehu.core.selectors import access_for

AUDIT_PAGE_SIZE = 50
INBOX_ROWS = 10

# The inbox kinds of customers.selectors.inbox_for, with the heading each gets on the dashboard.
INBOX_LABELS = {
    "returned": gettext_lazy("My drafts and applications returned for correction"),
    "sales_check": gettext_lazy("Waiting for the sales pre-check"),
    "office_review": gettext_lazy("Waiting for the office review"),
    "opinion": gettext_lazy("Waiting for my department's opinion"),
    "committee": gettext_lazy("Waiting for my committee vote"),
    "licence_expiring": gettext_lazy("Licences expired or expiring soon"),
    "consent": gettext_lazy("Personal-data changes waiting for the customer's consent"),
}


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
    # The inbox belongs to the customers app; core imports it lazily so that the app graph has no
    # cycle at import time (every later app adds its inbox kinds to inbox_for).
    from kehu.customers import selectors as customer_selectors

    access = access_for(request.user)
    sections = []
    for kind, queryset in customer_selectors.inbox_for(request.user).items():
        rows = list(queryset[:INBOX_ROWS])
        sections.append({
            "kind": kind,
            "label": INBOX_LABELS.get(kind, kind),
            "count": queryset.count() if len(rows) == INBOX_ROWS else len(rows),
            "rows": [_inbox_row(kind, row, customer_selectors) for row in rows],
        })
    from kehu.core.nav import dashboard_warnings

    return render(request, "core/dashboard.html", {
        "warnings": dashboard_warnings(request.user, access),
        "sections": sections,
        "can_view_customers": access.has(Perm.CUSTOMER_VIEW),
        "can_create": access.has(Perm.CUSTOMER_CREATE),
        "total": sum(s["count"] for s in sections),
    })


def _inbox_row(kind: str, row, customer_selectors) -> dict:
    customer = row.customer
    base = reverse("customers:detail", args=[customer.pk])
    entry = {"customer_id": customer.pk, "customer_name": customer_selectors.masked(customer, "name")}
    if kind == "licence_expiring":
        entry.update(url=base + "#licences", detail=row.get_kind_display(), status=row.valid_to)
    elif kind == "consent":
        entry.update(url=base + "#consents", detail=", ".join(row.fields), status=row.get_status_display())
    else:
        entry.update(url=f"{base}#application-{row.pk}", detail=_("Application #%(id)s, round %(round)s")
                     % {"id": row.pk, "round": row.round}, status=row.get_status_display(), code=row.status)
    return entry


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
        if data.get("before"):
            queryset = queryset.filter(pk__lt=data["before"])
        # Keyset pagination: one row more than a page tells whether there is a next page, no COUNT.
        rows = list(queryset[: AUDIT_PAGE_SIZE + 1])
        if len(rows) > AUDIT_PAGE_SIZE:
            rows = rows[:AUDIT_PAGE_SIZE]
            next_before = rows[-1].pk
    for row in rows:
        row.label = EVENT_LABELS.get(row.event_code, row.event)
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "core/audit_log.html", {"form": form, "rows": rows, "next_before": next_before},
                  status=status)
