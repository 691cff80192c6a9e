"""Staff pages of personal accounts: the list, an account with its limits used today and this year, its
balance and alerts, the person's Class III total toward ¥50,000, and the remediation inbox with its report.
ID numbers and individuals' names are shown masked."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as HttpForbidden
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kehu.accounts import rules, selectors, services
from kehu.accounts.models import AccountTransaction, RemediationTask, TaskStatus
from kehu.accounts.permissions import AccountsPerm
from kehu.core.errors import DomainError, NotFound
from kehu.core.errors import PermissionDenied as DomainPermissionDenied
from kehu.core.selectors import access_for
from kehu.customers.selectors import masked

PAGE = 50
RULE_LABELS = {
    "class2_in_day": gettext_lazy("Class II in, today"),
    "class2_in_year": gettext_lazy("Class II in, this year"),
    "class2_out_day": gettext_lazy("Class II out, today"),
    "class2_out_year": gettext_lazy("Class II out, this year"),
    "class2_cash_without_f2f": gettext_lazy("Class II cash without a face-to-face check"),
    "class3_balance": gettext_lazy("Class III balance"),
    "class3_out_day": gettext_lazy("Class III out, today"),
    "class3_out_year": gettext_lazy("Class III out, this year"),
    "class3_in_day": gettext_lazy("Class III in, today"),
    "class3_in_year": gettext_lazy("Class III in, this year"),
    "class3_cash": gettext_lazy("Cash on a Class III account"),
}


class CompleteForm(forms.Form):
    id_file = forms.FileField(label=gettext_lazy("Copy of the valid ID"))
    id_expires_on = forms.DateField(label=gettext_lazy("ID valid until"),
                                    widget=forms.DateInput(attrs={"type": "date"}))
    occupation = forms.CharField(label=gettext_lazy("Occupation"), max_length=100)
    address = forms.CharField(label=gettext_lazy("Home or work address"), max_length=300)


def _require(request, perm):
    access = access_for(request.user)
    if not access.has(perm):
        raise HttpForbidden(_("You do not have permission to do this."))
    return access


def _row(customer) -> dict:
    return {"name": masked(customer, "name"), "id_number": selectors.masked_id(customer), "id": customer.pk}


@login_required
def home(request):
    _require(request, AccountsPerm.VIEW)
    today = timezone.localdate()
    query = request.GET.get("q", "").strip()[:40]
    accounts = selectors.accounts_visible_to(request.user).order_by("account_no")
    if query:
        accounts = accounts.filter(account_no__startswith=query)
    rows = [{"account": a, "customer": _row(a.customer)} for a in accounts[:PAGE]]
    tasks = selectors.tasks_visible_to(request.user)
    return render(request, "accounts/home.html", {
        "rows": rows, "q": query,
        "open_tasks": tasks.filter(status=TaskStatus.OPEN).count(),
        "overdue_tasks": selectors.overdue_tasks(tasks, today).count(),
    })


@login_required
def detail(request, account_no: str):
    _require(request, AccountsPerm.VIEW)
    try:
        account = selectors.account_get(user=request.user, account_no=account_no)
    except NotFound:
        raise Http404() from None
    today = timezone.localdate()
    usage = [{"usage": u, "label": RULE_LABELS.get(u.rule, u.rule)} for u in selectors.account_usage(account, today)]
    total = selectors.class3_total(account.customer_id)
    threshold = selectors.trigger_threshold(today)
    breaches = (account.breaches.select_related("txn").order_by("-local_day", "-txn__posted_at")[:PAGE])
    alerts = [{"breach": b, "label": RULE_LABELS.get(b.rule, b.rule)} for b in breaches]
    transactions = AccountTransaction.objects.filter(account=account).order_by("-posted_at", "-txn_id")[:20]
    task = RemediationTask.objects.filter(customer_id=account.customer_id).first()
    return render(request, "accounts/detail.html", {
        "account": account, "customer": _row(account.customer), "usage": usage, "alerts": alerts,
        "transactions": transactions, "task": task, "today": today,
        "task_overdue": task is not None and task.status == TaskStatus.OPEN and rules.is_overdue(
            due=task.due_date, today=today),
        "class3_total": rules.fen_to_amount(total), "class3_threshold": rules.fen_to_amount(threshold),
        "class3_percent": min(100, int(total * 100 / threshold)) if threshold else 100,
        "suspended": selectors.class3_suspended(account.customer_id, today),
        "siblings": selectors.accounts_visible_to(request.user).filter(customer_id=account.customer_id)
        .exclude(pk=account.pk).order_by("tier", "account_no"),
    })


@login_required
def tasks(request):
    """The remediation inbox: open tasks (overdue first), and the report of open and overdue by due date."""
    access = _require(request, AccountsPerm.VIEW)
    today = timezone.localdate()
    state = request.GET.get("state", "open")
    queryset = selectors.tasks_visible_to(request.user).order_by("due_date", "pk")
    if state == "overdue":
        queryset = selectors.overdue_tasks(queryset, today)
    elif state == "done":
        queryset = queryset.filter(status=TaskStatus.DONE).order_by("-done_at")
    else:
        state = "open"
        queryset = queryset.filter(status=TaskStatus.OPEN)
    scoped = selectors.tasks_visible_to(request.user)
    rows = [{"task": t, "customer": _row(t.customer),
             "overdue": t.status == TaskStatus.OPEN and rules.is_overdue(due=t.due_date, today=today)}
            for t in queryset[:PAGE * 4]]
    return render(request, "accounts/tasks.html", {
        "rows": rows, "state": state, "today": today,
        "open_count": scoped.filter(status=TaskStatus.OPEN).count(),
        "overdue_count": selectors.overdue_tasks(scoped, today).count(),
        "done_count": scoped.filter(status=TaskStatus.DONE).count(),
        "can_remediate": access.has(AccountsPerm.REMEDIATE),
    })


@login_required
def task(request, task_id: int):
    access = _require(request, AccountsPerm.VIEW)
    found = selectors.tasks_visible_to(request.user).filter(pk=task_id).first()
    if found is None:
        raise Http404()
    today = timezone.localdate()
    form = CompleteForm()
    status = 200
    if request.method == "POST":
        if not access.has(AccountsPerm.REMEDIATE):
            raise HttpForbidden(_("You do not have permission to do this."))
        form = CompleteForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["id_file"]
            try:
                services.remediation_complete(
                    actor=request.user, task_id=found.pk, id_file=upload.read(), id_filename=upload.name,
                    id_content_type=upload.content_type or "", occupation=form.cleaned_data["occupation"],
                    address=form.cleaned_data["address"], id_expires_on=form.cleaned_data["id_expires_on"])
            except DomainPermissionDenied as exc:
                raise HttpForbidden(str(exc.message)) from None
            except DomainError as exc:
                field = getattr(exc, "field", None)
                form.add_error(field if field in form.fields else None, str(exc.message))
            else:
                messages.success(request, _("The remediation is recorded."))
                return redirect("accounts:tasks")
        status = 400
    return render(request, "accounts/task.html", {
        "task": found, "customer": _row(found.customer), "form": form, "today": today,
        "overdue": found.status == TaskStatus.OPEN and rules.is_overdue(due=found.due_date, today=today),
        "can_remediate": access.has(AccountsPerm.REMEDIATE),
        "accounts": selectors.accounts_visible_to(request.user).filter(customer_id=found.customer_id, tier="III"),
        "total": rules.fen_to_amount(selectors.class3_total(found.customer_id)),
    }, status=status)
