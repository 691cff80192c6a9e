"""The steps that build and check a customer before the archive writes it.

``archive.customer_create`` and ``archive.customer_update`` (the form and the API) and the set-based import
(``kehu.bulk.customer_import``) take these same steps, so the import stores exactly what a create or an update
through the archive would store, and audits it the same way. The blind index of the resident ID number is
kept by ``kehu.customers.blind_index``.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from kehu.core.errors import InvalidInput, PermissionDenied
from kehu.core.inputs import text
from kehu.core.models import OrgUnit, User
from kehu.core.rules import mask
from kehu.core.selectors import access_for
from kehu.customers import rules
from kehu.customers.errors import InvalidIdentifier
from kehu.customers.models import Customer, CustomerKind
from kehu.customers.permissions import CustomerPerm
from kehu.customers.selectors import MASK_KIND, customer_field_value, personal_fields

# Fields a PATCH may change, with their maximum lengths (None: not text). Also the fields of the audit view.
EDITABLE_FIELDS: dict[str, int | None] = {
    "name": 200,
    "uscc": 18,
    "legal_representative": 100,
    "registered_capital_amount": None,
    "industry": 100,
    "region": 100,
    "business_scope": 2000,
    "address": 300,
    "id_number": 18,
    "phone": 32,
    "email": 254,
    "occupation": 100,
    "manager_id": None,
}


def org_for_create(actor: User | None, org_code: str | None) -> OrgUnit:
    """The org unit a new customer goes into: ``org_code``'s, else the actor's own. Raises ``InvalidInput``
    for an unknown or missing unit and ``PermissionDenied`` if the actor may not create customers there."""
    # The actor's own unit when it is already loaded: an API request reads it with the token and the user in
    # one query (core.services.token_authenticate), so naming it again costs no second read (issue 17).
    own = actor.org_unit if actor is not None and User.org_unit.is_cached(actor) else None
    if org_code and own is not None and own.code == org_code and own.is_active:
        unit = own
    elif org_code:
        found = OrgUnit.objects.filter(code=org_code, is_active=True).first()
        if found is None:
            raise InvalidInput(_("Org unit %(code)s does not exist.") % {"code": org_code}, field="org_code")
        unit = found
    elif actor is not None and actor.org_unit is not None:
        unit = actor.org_unit
    else:
        raise InvalidInput(_("An org unit is required."), field="org_code", code="required")
    if actor is not None and not access_for(actor).reaches(CustomerPerm.CUSTOMER_CREATE, org_path=unit.path, owner_id=actor.pk):
        raise PermissionDenied(_("You cannot create customers in org unit %(code)s.") % {"code": unit.code})
    return unit


def clean_identity(kind: str, values: dict[str, Any]) -> dict[str, Any]:
    """Validate and normalise the identifying fields (``uscc``, ``id_number``, ``phone``, ``email``) given in
    ``values`` for a customer of ``kind``; the fields not given are left out of the result. Raises
    ``InvalidIdentifier`` or ``InvalidInput`` at the first bad field."""
    out: dict[str, Any] = {}
    if "uscc" in values:
        raw = text(values["uscc"], "uscc", max_length=18 + 4)
        if raw:
            code = rules.clean_uscc(raw)
            if code is None:
                raise InvalidIdentifier(
                    _("%(value)s is not a valid unified social credit code (check character or format).")
                    % {"value": raw[:18]},
                    field="uscc",
                )
            out["uscc"] = code
        else:
            out["uscc"] = None
    if "id_number" in values:
        raw = text(values["id_number"], "id_number", max_length=18 + 4)
        if raw:
            number = rules.clean_resident_id(raw)
            if number is None:
                raise InvalidIdentifier(
                    _("The resident ID number is not valid (18 digits with a correct check digit)."),
                    field="id_number",
                )
            out["id_number"] = number
        else:
            out["id_number"] = ""
    if "phone" in values:
        raw = text(values["phone"], "phone", max_length=32)
        if raw and rules.clean_phone(raw) is None:
            raise InvalidInput(_("The phone number is not valid."), field="phone")
        out["phone"] = rules.clean_phone(raw) if raw else ""
    if "email" in values:
        raw = text(values["email"], "email", max_length=254)
        if raw and rules.clean_email(raw) is None:
            raise InvalidInput(_("The e-mail address is not valid."), field="email")
        out["email"] = raw
    return out


def name_is_hidden(kind: str | None) -> bool:
    """Whether ``set_name`` keeps a name of this kind encrypted (masked in ``name``, pinyin of the surname only)."""
    return kind == CustomerKind.INDIVIDUAL and bool(settings.KEHU_ENCRYPT_INDIVIDUAL_NAMES)


def set_name(customer: Customer, name: str) -> None:
    """Set the customer's name and the columns derived from it: ``name`` (masked for an individual when
    ``KEHU_ENCRYPT_INDIVIDUAL_NAMES``, the clear name then in ``name_encrypted``), ``name_pinyin`` and
    ``name_initials``."""
    if name_is_hidden(customer.kind):
        customer.name_encrypted = name
        customer.name = mask("name", name)
        customer.name_pinyin, customer.name_initials = rules.pinyin_keys(name[:1])
    else:
        customer.name_encrypted = ""
        customer.name = name
        customer.name_pinyin, customer.name_initials = rules.pinyin_keys(name)


def check_required_by_kind(customer: Customer) -> None:
    """Raise ``InvalidInput`` (code ``required``) if the customer lacks its kind's identifier: the credit
    code of an enterprise or financial institution, the resident ID number of an individual."""
    if customer.is_entity and not customer.uscc:
        raise InvalidInput(_("An enterprise or financial institution needs its unified social credit code."),
                           field="uscc", code="required")
    if customer.kind == CustomerKind.INDIVIDUAL and not customer.id_number:
        raise InvalidInput(_("An individual customer needs a resident ID number."), field="id_number",
                           code="required")


def audit_view(customer: Customer) -> dict[str, Any]:
    """The customer's values as the audit log and the change log keep them: personal fields masked."""
    data: dict[str, Any] = {"kind": customer.kind, "org": customer.org_unit.code if customer.org_unit_id else None,
                            "status": customer.admission_status}
    for field in EDITABLE_FIELDS:
        if field == "manager_id":
            data[field] = customer.manager_id
            continue
        value = customer_field_value(customer, field) if field in ("name",) else getattr(customer, field)
        if isinstance(value, Decimal):
            value = str(value)
        if field in personal_fields(customer) and value:
            value = mask(MASK_KIND[field], str(value))
        data[field] = value
    return data
