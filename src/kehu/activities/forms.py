"""Forms of the activity log and follow-ups (the web's input; the services validate again)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kehu.activities.models import ActivityKind


class ActivityForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=ActivityKind.choices, initial=ActivityKind.CALL)
    occurred_at = forms.DateTimeField(label=_("When"), required=False,
                                      widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
                                      help_text=_("Empty: now"))
    contact_id = forms.TypedChoiceField(label=_("With"), required=False, coerce=int, empty_value=None)
    summary = forms.CharField(label=pgettext_lazy("activity", "Summary"), max_length=500)
    outcome = forms.CharField(label=_("Outcome"), required=False, max_length=4000,
                              widget=forms.Textarea(attrs={"rows": 2}))
    next_contact_on = forms.DateField(label=_("Next contact planned"), required=False,
                                      widget=forms.DateInput(attrs={"type": "date"}))
    follow_up_title = forms.CharField(label=_("Follow-up"), required=False, max_length=300,
                                      help_text=_("Optional: a task for a colleague"))
    follow_up_assignee = forms.TypedChoiceField(label=_("Assign to"), required=False, coerce=int, empty_value=None)
    follow_up_due_on = forms.DateField(label=_("Due"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, contacts=(), colleagues=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contact_id"].choices = [("", "—")] + [(c.pk, c.name) for c in contacts]
        self.fields["follow_up_assignee"].choices = [("", "—")] + [
            (u.pk, u.display_name or u.username) for u in colleagues]

    def clean(self):
        data = super().clean()
        parts = [data.get("follow_up_title"), data.get("follow_up_assignee"), data.get("follow_up_due_on")]
        if any(parts) and not all(parts):
            raise forms.ValidationError(_("A follow-up needs what to do, a colleague and a due date."))
        return data

    def follow_up(self) -> dict | None:
        if not self.cleaned_data.get("follow_up_title"):
            return None
        return {"title": self.cleaned_data["follow_up_title"], "assignee_id": self.cleaned_data["follow_up_assignee"],
                "due_on": self.cleaned_data["follow_up_due_on"]}


class TaskDoneForm(forms.Form):
    note = forms.CharField(label=_("Note"), required=False, max_length=2000)


class TaskCancelForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=2000)


class ActivityDeleteForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=500)
