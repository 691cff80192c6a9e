"""How the audit-log page shows a row: the object as "用户 张三" rather than "user #15", the channel in
words, and the old and new values as a table of field: old → new with the fields' and choices' names.

The object types are the ``object_type`` strings the services write; most name a model (``credit_line`` is
``CreditLine``, ``helpdesk.ticket`` is the helpdesk's ``Ticket``), the rest are listed here."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kehu.core.models import Department, Role

CHANNELS = {
    "web": _("web page"),
    "api": _("REST API"),
    "cli": _("command line"),
    "admin": _("system administration"),
    "demo": _("demo data"),
    "import": _("bulk import"),
    "phone": _("phone"),
    "": _("system"),
}

# value keys the services write that are not a field of the object's model
KEY_LABELS = {
    "status": pgettext_lazy("audit value", "status"),
    "period": pgettext_lazy("audit value", "period"),
    "term_days": pgettext_lazy("audit value", "credit term (days)"),
    "name": pgettext_lazy("audit value", "name"),
    "code": pgettext_lazy("audit value", "code"),
    "amount": pgettext_lazy("audit value", "amount"),
    "value": pgettext_lazy("audit value", "value"),
    "round": pgettext_lazy("audit value", "round"),
    "org": pgettext_lazy("audit value", "org unit"),
    "fields": pgettext_lazy("audit value", "fields"),
    "department": pgettext_lazy("audit value", "department"),
    "change": pgettext_lazy("audit value", "change"),
    "version": pgettext_lazy("audit value", "version"),
    "temp_amount": pgettext_lazy("audit value", "temporary line"),
    "relation": pgettext_lazy("audit value", "relation"),
    "proposed": pgettext_lazy("audit value", "proposed"),
    "number": pgettext_lazy("audit value", "number"),
    "limit": pgettext_lazy("audit value", "limit"),
    "kind": pgettext_lazy("audit value", "kind"),
    "invoice": pgettext_lazy("audit value", "invoice"),
    "grade": pgettext_lazy("audit value", "grade"),
    "customers": pgettext_lazy("audit value", "customers"),
    "classification": pgettext_lazy("audit value", "classification"),
    "warned": pgettext_lazy("audit value", "warned"),
    "username": pgettext_lazy("audit value", "username"),
    "unlocked": pgettext_lazy("audit value", "unlocked"),
    "trigger": pgettext_lazy("audit value", "trigger"),
    "to": pgettext_lazy("audit value", "to"),
    "title": pgettext_lazy("audit value", "title"),
    "termination_reason": pgettext_lazy("audit value", "termination reason"),
    "source": pgettext_lazy("audit value", "source"),
    "slot": pgettext_lazy("audit value", "slot"),
    "signed_on": pgettext_lazy("audit value", "signed on"),
    "rows": pgettext_lazy("audit value", "rows"),
    "roles": pgettext_lazy("audit value", "roles"),
    "role": pgettext_lazy("audit value", "role"),
    "result": pgettext_lazy("audit value", "result"),
    "rating": pgettext_lazy("audit value", "rating"),
    "product": pgettext_lazy("audit value", "product"),
    "policy_version": pgettext_lazy("audit value", "scorecard version"),
    "parent": pgettext_lazy("audit value", "parent"),
    "own_only": pgettext_lazy("audit value", "own customers only"),
    "outcome": pgettext_lazy("audit value", "outcome"),
    "opinion": pgettext_lazy("audit value", "opinion"),
    "note": pgettext_lazy("audit value", "note"),
    "margin": pgettext_lazy("audit value", "margin"),
    "locked_until": pgettext_lazy("audit value", "locked until"),
    "line_amount": pgettext_lazy("audit value", "line"),
    "job": pgettext_lazy("audit value", "job"),
    "from": pgettext_lazy("audit value", "from"),
    "format": pgettext_lazy("audit value", "format"),
    "failed_logins": pgettext_lazy("audit value", "failed logins"),
    "decision": pgettext_lazy("audit value", "decision"),
    "days": pgettext_lazy("audit value", "days"),
    "breached": pgettext_lazy("audit value", "breached"),
    "at": pgettext_lazy("audit value", "time"),
    "state": pgettext_lazy("audit value", "state"),
    "resolution_due": pgettext_lazy("audit value", "resolution due"),
    "regulatory_due": pgettext_lazy("audit value", "regulatory deadline"),
    "band": pgettext_lazy("audit value", "approval band"),
    "outstanding": pgettext_lazy("audit value", "outstanding sign-offs"),
}

# object types that are not a model's name
MODEL_OF = {
    "admission": "customers.AdmissionApplication",
    "group": "customers.CustomerGroup",
    "consent": "customers.ConsentRecord",
    "agreement": "customers.CooperationAgreement",
    "scorecard_policy": "grading.ScorecardPolicy",
    "credit_limit_change": "tradecredit.LimitChange",
    "helpdesk.reduction": "helpdesk.ReceivableReduction",
}
# object types that stand for a run or an act, not a row
OTHER_LABELS = {
    "keys": _("data keys"),
    "credit_recalc": _("credit limit recalculation"),
    "customer_export": _("customer export"),
    "helpdesk.sla_watch": _("time-limit watcher"),
    "user_session": _("session"),
}


@cache
def _models_by_name() -> dict[str, Any]:
    found = {}
    for model in apps.get_models():
        found.setdefault(model._meta.model_name, model)
        found[f"{model._meta.app_label}.{model._meta.model_name}"] = model
    return found


def model_for(object_type: str):
    """The model an object type names, or None."""
    if object_type in MODEL_OF:
        return apps.get_model(MODEL_OF[object_type])
    by_name = _models_by_name()
    return by_name.get(object_type) or by_name.get(object_type.replace("_", ""))


# How an app names one of its objects on the audit page ("model label" -> namer(model, pk) -> text, "" when
# gone). Apps register theirs in AppConfig.ready(): the customers app names a customer masked as every page does.
_NAMERS: dict[str, Callable[[type, str], str]] = {}


def register_object_namer(label: str, namer: Callable[[type, str], str]) -> None:
    _NAMERS[label] = namer


def name_column(model: type, object_id: str) -> str:
    """A namer for models whose ``name`` column is not personal data (org units, customer groups)."""
    return model.objects.filter(pk=object_id).values_list("name", flat=True).first() or ""  # type: ignore[attr-defined]


def _user_name(model: type, object_id: str) -> str:
    user = model.objects.filter(pk=object_id).first()  # type: ignore[attr-defined]
    return str(user) if user else ""


register_object_namer("core.User", _user_name)
register_object_namer("core.OrgUnit", name_column)


def _name(model, object_id: str) -> str:
    """The name of an object whose app registered a namer (a user, a customer masked as on every page, an org
    unit, a group); "" for other objects."""
    if not object_id or not object_id.isdigit():
        return ""
    namer = _NAMERS.get(model._meta.label)
    return namer(model, object_id) if namer else ""


def object_label(object_type: str, object_id: str) -> str:
    """'用户 张三', '授信额度 #12', or the type itself when kehu does not know it."""
    if not object_type:
        return ""
    model = model_for(object_type)
    if model is None:
        noun = str(OTHER_LABELS.get(object_type, object_type))
        return f"{noun} #{object_id}" if object_id else noun
    noun = str(model._meta.verbose_name)
    name = _name(model, str(object_id))
    if name:
        return f"{noun} {name}"
    return f"{noun} #{object_id}" if object_id else noun


def channel_label(channel: str) -> str:
    return str(CHANNELS.get(channel or "", channel))


def _field(model, key: str):
    if model is None:
        return None
    try:
        return model._meta.get_field(key.removesuffix("_id") if key.endswith("_id") else key)
    except FieldDoesNotExist:
        return None


def _value_choices() -> dict[str, dict[str, object]]:
    """Value keys whose codes are a core choice (a role, a department) though no model field says so."""

    roles, departments = dict(Role.choices), dict(Department.choices)
    return {"role": roles, "roles": roles, "department": departments}


def _show(value: Any, field, key: str = "") -> str:
    if value is None or value == "":
        return "—"
    choices = _value_choices().get(key)
    if choices is not None:
        values = value if isinstance(value, list) else [value]
        return "、".join(str(choices.get(v, v)) for v in values)
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    if field is not None and getattr(field, "choices", None):
        choices = {str(k): v for k, v in field.flatchoices}
        if str(value) in choices:
            return str(choices[str(value)])
    if isinstance(value, list):
        return "、".join(_show(v, None) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{k}: {_show(v, None)}" for k, v in value.items())
    return str(value)


def value_changes(object_type: str, old: Any, new: Any) -> list[dict]:
    """One row per field in either side: its name (the model field's, translated, when there is one), the
    old and the new value, choices shown by their label."""
    model = model_for(object_type) if object_type else None
    old = old if isinstance(old, dict) else ({} if old in (None, "") else {"": old})
    new = new if isinstance(new, dict) else ({} if new in (None, "") else {"": new})
    rows = []
    for key in dict.fromkeys([*old, *new]):
        field = _field(model, key)
        if field is not None and hasattr(field, "verbose_name"):
            label = str(field.verbose_name)
        else:
            label = str(KEY_LABELS.get(key, key))
        rows.append({"field": label, "old": _show(old.get(key), field, key) if key in old else "",
                     "new": _show(new.get(key), field, key) if key in new else "", "only_new": key not in old})
    return rows
