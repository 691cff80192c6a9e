"""Web pages of activities and follow-ups. Thin: parse, call one service, redirect or re-render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from kehu.activities import selectors, services
from kehu.activities.forms import ActivityDeleteForm, ActivityForm, TaskCancelForm, TaskDoneForm
from kehu.activities.permissions import ActivityPerm
from kehu.core.errors import DomainError, InvalidInput, NotFound, PermissionDenied
from kehu.core.selectors import access_for
from kehu.customers.selectors import customer_get


def section_context(*, request, customer, access) -> dict:
    """The activity block of the customer page: recent activities and, for those who may log, the form."""
    may_log = access.reaches(ActivityPerm.LOG, org_path=customer.org_path, owner_id=customer.manager_id)
    context = {"recent_activities": selectors.activities_of(user=request.user, customer_id=customer.pk, limit=5),
               "may_log": may_log,
               "open_tasks": selectors.open_tasks_of(customer.pk)}
    if may_log:
        context["activity_form"] = ActivityForm(prefix="activity", contacts=customer.contacts.all(),
                                                colleagues=selectors.colleagues_for(customer))
    return context


def _customer(request, customer_id: int):
    try:
        return customer_get(user=request.user, customer_id=customer_id, perm=ActivityPerm.LOG)
    except (NotFound, PermissionDenied):
        raise Http404() from None


@login_required
@require_POST
def activity_log(request, customer_id: int):
    customer = _customer(request, customer_id)
    form = ActivityForm(request.POST, prefix="activity", contacts=customer.contacts.all(),
                        colleagues=selectors.colleagues_for(customer))
    if form.is_valid():
        d = form.cleaned_data
        try:
            services.activity_log(actor=request.user, customer_id=customer.pk, kind=d["kind"], summary=d["summary"],
                                  occurred_at=d["occurred_at"], outcome=d["outcome"], contact_id=d["contact_id"],
                                  next_contact_on=d["next_contact_on"], follow_up=form.follow_up(), channel="web")
        except InvalidInput as exc:
            form.add_error(exc.field if exc.field in form.fields else None, str(exc))
        else:
            messages.success(request, _("The activity has been recorded."))
            return redirect(reverse("customers:detail", args=[customer.pk]) + "#activities")
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, error)
    return redirect(reverse("customers:detail", args=[customer.pk]) + "#activities")


@login_required
@require_POST
def activity_delete(request, activity_id: int):
    form = ActivityDeleteForm(request.POST)
    try:
        activity = selectors.activity_get(user=request.user, activity_id=activity_id)
    except (NotFound, PermissionDenied):
        raise Http404() from None
    if form.is_valid():
        try:
            services.activity_delete(actor=request.user, activity_id=activity_id, reason=form.cleaned_data["reason"])
            messages.success(request, _("The activity has been withdrawn."))
        except NotFound:
            raise Http404() from None
        except DomainError as exc:
            messages.error(request, str(exc))
    else:
        messages.error(request, _("Give a reason."))
    return redirect(reverse("customers:detail", args=[activity.customer_id]) + "#activities")


@login_required
@require_GET
def tasks(request):
    """My follow-ups; for managers also the team's overdue ones and customers without contact."""
    access = access_for(request.user)
    if not access.has(ActivityPerm.VIEW):
        raise Http404()
    today = timezone.localdate()
    return render(request, "activities/tasks.html", {
        "tasks": selectors.my_tasks(user=request.user, today=today),
        "team_overdue": selectors.team_overdue(user=request.user, today=today),
        "uncontacted": selectors.customers_without_contact(user=request.user, today=today),
        "today": today, "done_form": TaskDoneForm(), "cancel_form": TaskCancelForm(),
    })


def _task_action(request, task_id: int, call, done: str):
    try:
        task = call()
    except (NotFound, PermissionDenied):
        raise Http404() from None
    except DomainError as exc:
        messages.error(request, str(exc))
        return redirect("activities:tasks")
    messages.success(request, done)
    nxt = request.POST.get("next", "")
    if nxt == "customer":
        return redirect(reverse("customers:detail", args=[task.customer_id]) + "#activities")
    return redirect("activities:tasks")


@login_required
@require_POST
def task_done(request, task_id: int):
    form = TaskDoneForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    return _task_action(request, task_id, lambda: services.task_complete(actor=request.user, task_id=task_id,
                                                                         note=note), _("The follow-up is done."))


@login_required
@require_POST
def task_cancel(request, task_id: int):
    form = TaskCancelForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give a reason."))
        return redirect("activities:tasks")
    return _task_action(request, task_id, lambda: services.task_cancel(
        actor=request.user, task_id=task_id, reason=form.cleaned_data["reason"]), _("The follow-up is cancelled."))
