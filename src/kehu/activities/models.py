"""Activities (calls, visits, meetings, e-mails, notes) and follow-up tasks of a customer (S3 第五条, S9)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ActivityKind(models.TextChoices):
    CALL = "call", pgettext_lazy("activity kind", "Call")
    VISIT = "visit", pgettext_lazy("activity kind", "Visit")
    MEETING = "meeting", pgettext_lazy("activity kind", "Meeting")
    EMAIL = "email", pgettext_lazy("activity kind", "E-mail")
    NOTE = "note", pgettext_lazy("activity kind", "Note")


class Activity(models.Model):
    """One dealing with the customer, as the person who had it recorded it."""

    customer = models.ForeignKey("customers.Customer", verbose_name=_("customer"), on_delete=models.PROTECT,
                                 related_name="activities")
    # Copied from the customer so that scope checks and team lists need no join.
    org_path = models.CharField(_("org unit path"), max_length=255, db_index=True)
    kind = models.CharField(_("kind"), max_length=16, choices=ActivityKind.choices)
    occurred_at = models.DateTimeField(_("when"))
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT,
                              related_name="+")
    contact = models.ForeignKey("customers.Contact", verbose_name=_("with"), null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="+")
    summary = models.CharField(_("summary"), max_length=500)
    outcome = models.TextField(_("outcome"), blank=True)
    next_contact_on = models.DateField(_("next contact planned"), null=True, blank=True)
    document = models.ForeignKey("customers.Document", verbose_name=_("attachment"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+")
    deleted = models.BooleanField(_("deleted"), default=False)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        ordering = ["-occurred_at", "-id"]
        indexes = [models.Index(fields=["customer", "occurred_at"], name="activity_customer_time")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.occurred_at:%Y-%m-%d}"


class TaskStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("follow-up", "Open")
    DONE = "done", pgettext_lazy("follow-up", "Done")
    CANCELLED = "cancelled", pgettext_lazy("follow-up", "Cancelled")


class FollowUpTask(models.Model):
    """A follow-up assigned to a colleague, due on a working day of China's calendar."""

    customer = models.ForeignKey("customers.Customer", verbose_name=_("customer"), on_delete=models.PROTECT,
                                 related_name="follow_ups")
    org_path = models.CharField(_("org unit path"), max_length=255, db_index=True)
    activity = models.ForeignKey(Activity, verbose_name=_("from activity"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="tasks")
    title = models.CharField(_("what to do"), max_length=300)
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("assigned to"), on_delete=models.PROTECT,
                                 related_name="follow_ups")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("assigned by"),
                                   on_delete=models.PROTECT, related_name="+")
    requested_due_on = models.DateField(_("requested due date"))
    due_on = models.DateField(_("due date"), db_index=True)
    status = models.CharField(_("status"), max_length=16, choices=TaskStatus.choices, default=TaskStatus.OPEN)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    done_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("done by"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="+")
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("follow-up task")
        verbose_name_plural = _("follow-up tasks")
        ordering = ["due_on", "id"]
        indexes = [models.Index(fields=["assignee", "status", "due_on"], name="task_assignee_due")]

    def __str__(self) -> str:
        return self.title


# Allowed transitions of a follow-up (style guide: the table next to the model).
TASK_TRANSITIONS = {
    TaskStatus.OPEN: {TaskStatus.DONE, TaskStatus.CANCELLED},
    TaskStatus.DONE: set(),
    TaskStatus.CANCELLED: set(),
}
