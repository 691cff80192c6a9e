"""The retention page (PI-5, 10.6): every data class the apps register with its policy (period, action,
legal basis), the legal holds that stop deletion, and the last sweeper report (counts, no personal data)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as HttpForbidden
from django.shortcuts import render

from kehu.core.params import get_param
from kehu.core.retention import HOLD_RULES
from kehu.core.selectors import access_for

from . import permissions, retention
from .models import SweepRun


@login_required
def retention_page(request):
    if not access_for(request.user).has(permissions.VIEW):
        raise HttpForbidden()
    report = SweepRun.objects.filter(dry_run=True).first()
    done = SweepRun.objects.filter(dry_run=False).first()
    counts = {c["class"]: c for c in (report.classes if report else [])}
    acted = {c["class"]: c.get("acted", 0) for c in (done.classes if done else [])}
    customer_level = {}
    for item in (report.items if report else []):
        entry = customer_level.setdefault(item["policy"], {"expired": 0, "held": 0})
        entry["expired"] += 1
        entry["held"] += 1 if item.get("held") else 0
    rows = []
    for x in retention.registered_classes():
        code = x["dc"].code
        rows.append({**x, "report": counts.get(code) or customer_level.get(code), "acted": acted.get(code)})
    return render(request, "privacy/retention.html", {
        "rows": rows, "holds": sorted(HOLD_RULES.values(), key=lambda r: r.code),
        "unregistered": retention.unregistered_policies(), "report": report, "done": done,
        "grace": int(get_param("privacy.sweep_grace_days"))})
