"""Audit event codes of activities and follow-up tasks (22xx: beside the customer archive's 20xx/21xx)."""

from django.utils.translation import gettext_lazy as _


class ActivityEvent:
    labels: dict  # code -> translated label, set below (lower-case: register_events reads upper-case codes)

    ACTIVITY_LOGGED = 2201
    ACTIVITY_UPDATED = 2202
    ACTIVITY_DELETED = 2203
    TASK_ASSIGNED = 2210
    TASK_DONE = 2211
    TASK_CANCELLED = 2212
    TASK_REASSIGNED = 2213


ActivityEvent.labels = {
    ActivityEvent.ACTIVITY_LOGGED: _("Activity logged"),
    ActivityEvent.ACTIVITY_UPDATED: _("Activity updated"),
    ActivityEvent.ACTIVITY_DELETED: _("Activity deleted"),
    ActivityEvent.TASK_ASSIGNED: _("Follow-up assigned"),
    ActivityEvent.TASK_DONE: _("Follow-up done"),
    ActivityEvent.TASK_CANCELLED: _("Follow-up cancelled"),
    ActivityEvent.TASK_REASSIGNED: _("Follow-up reassigned"),
}
