"""Forms of the core pages: login, password change, audit-log filter. They parse; services decide."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django import forms
from django.contrib.auth import authenticate
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kehu.core.audit import _EXTRA_EVENTS, Event
from kehu.core.audit import EVENT_LABELS as APP_EVENT_LABELS
from kehu.core.errors import AccountLocked

# Labels of the audit event codes, for the audit-log page and its filter.
EVENT_LABELS = {
    Event.LOGIN_OK: _("Login"),
    Event.LOGIN_FAILED: _("Failed login"),
    Event.ACCOUNT_LOCKED: _("Account locked"),
    Event.LOGOUT: _("Logout"),
    Event.PASSWORD_CHANGED: _("Password changed"),
    Event.USER_CREATED: _("User created"),
    Event.USER_UPDATED: _("User updated"),
    Event.ROLE_GRANTED: _("Role granted"),
    Event.ROLE_REVOKED: _("Role revoked"),
    Event.TOKEN_CREATED: _("API token created"),
    Event.TOKEN_REVOKED: _("API token revoked"),
    Event.SECOND_FACTOR_ENABLED: _("Second factor enabled"),
    Event.SECOND_FACTOR_DISABLED: _("Second factor switched off"),
    Event.SECOND_FACTOR_FAILED: _("Wrong second-factor code"),
    Event.RECOVERY_CODE_USED: _("Recovery code used"),
    Event.AUDIT_CHECKPOINT: _("Audit chain checkpoint published"),
    Event.ORG_CREATED: _("Org unit created"),
    Event.ORG_UPDATED: _("Org unit updated"),
    Event.PARAM_PROPOSED: _("Parameter change proposed"),
    Event.PARAM_APPROVED: _("Parameter change approved"),
    Event.PARAM_REJECTED: _("Parameter change rejected"),
    Event.ADMIN_CHANGE: _("Change in the admin"),
    Event.KEYS_REENCRYPTED: _("Data re-encrypted under a new key"),
    Event.SCHEDULED_RUN_DONE: _("Scheduled job run"),
    Event.SCHEDULED_RUN_FAILED: _("Scheduled job failed"),
}


def event_names() -> dict[int, str]:
    """Every known event code with its translated label (an app's code without one keeps its name)."""

    names = {}
    for source in (Event, *_EXTRA_EVENTS):
        for key, value in vars(source).items():
            if key.isupper() and isinstance(value, int):
                names[value] = key.lower()
    names.update(APP_EVENT_LABELS)
    names.update(EVENT_LABELS)
    return names


class LoginForm(forms.Form):
    username = forms.CharField(label=_("Username"), max_length=150,
                               widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}))
    password = forms.CharField(label=_("Password"), strip=False,
                               widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))

    def __init__(self, request, *args, **kwargs):
        self.request = request
        self.user = None
        super().__init__(*args, **kwargs)

    def clean(self):
        data = super().clean()
        username, password = data.get("username"), data.get("password")
        if username and password:
            try:
                # LockoutBackend → core.services.login_attempt counts the failure or raises AccountLocked.
                self.user = authenticate(self.request, username=username, password=password)
            except AccountLocked as exc:
                raise forms.ValidationError(str(exc.message), code=exc.code) from None
            if self.user is None:
                raise forms.ValidationError(_("The username or password is wrong."), code="invalid_login")
        return data


class PasswordChangeForm(forms.Form):
    old_password = forms.CharField(label=_("Current password"), strip=False,
                                   widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))
    new_password1 = forms.CharField(label=_("New password"), strip=False,
                                    widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
                                    help_text=_("At least 8 characters, with three of: upper-case letters, "
                                                "lower-case letters, digits, other characters."))
    new_password2 = forms.CharField(label=_("New password again"), strip=False,
                                    widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))

    def __init__(self, user, *args, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_old_password(self):
        value = self.cleaned_data["old_password"]
        if not self.user.check_password(value):
            raise forms.ValidationError(_("The current password is wrong."), code="password_incorrect")
        return value

    def clean(self):
        data = super().clean()
        one, two = data.get("new_password1"), data.get("new_password2")
        if one and two and one != two:
            self.add_error("new_password2", _("The two new passwords differ."))
        elif one and one == data.get("old_password"):
            self.add_error("new_password1", _("The new password must differ from the current one."))
        return data


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class AuditFilterForm(forms.Form):
    customer_id = forms.IntegerField(label=_("Customer ID"), required=False, min_value=1)
    actor = forms.CharField(label=_("User"), required=False, max_length=150)
    event_code = forms.TypedChoiceField(label=_("Event"), required=False, coerce=int, empty_value=None)
    since = forms.DateField(label=_("From"), required=False, widget=DateInput())
    until = forms.DateField(label=_("To"), required=False, widget=DateInput())
    before = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["event_code"].choices = [("", _("All events"))] + [
            (code, f"{code} · {label}") for code, label in sorted(event_names().items())
        ]

    def clean(self):
        data = super().clean()
        if data.get("since") and data.get("until") and data["until"] < data["since"]:
            self.add_error("until", _("The end date is before the start date."))
        return data

    def time_range(self) -> tuple[datetime | None, datetime | None]:
        """Return the [since, until) range in aware datetimes; days are Asia/Shanghai days, end inclusive."""
        zone = timezone.get_current_timezone()
        since = self.cleaned_data.get("since")
        until = self.cleaned_data.get("until")
        start = datetime.combine(since, time.min, tzinfo=zone) if since else None
        end = datetime.combine(until + timedelta(days=1), time.min, tzinfo=zone) if until else None
        return start, end
