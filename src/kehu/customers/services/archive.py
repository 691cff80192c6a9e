"""Writes to the customer archive: customers, contacts, documents, licences, contracts, groups.

A customer is built and checked with the public steps of ``kehu.customers.services.build``, which the set-based
import (``kehu.bulk.customer_import``) takes too; its ID number's blind index is kept by
``kehu.customers.blind_index``."""

from __future__ import annotations

import hashlib
import uuid
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kehu.core.access import require
from kehu.core.audit import audit_record
from kehu.core.crypto import DecryptionError, keyring
from kehu.core.errors import Conflict, InvalidInput, InvalidTransition, NotFound, PermissionDenied
from kehu.core.files import private_dir
from kehu.core.inputs import amount, choice, day, text
from kehu.core.models import AuditEvent, OrgUnit, Role, User
from kehu.core.params import get_param
from kehu.core.rules import mask
from kehu.core.selectors import access_for
from kehu.core.twofactor import require_for_pii
from kehu.core.writes import insert_one
from kehu.customers import rules
from kehu.customers.blind_index import id_number_filter, set_id_number_hash
from kehu.customers.errors import CustomerNotTradable, DuplicateCustomer
from kehu.customers.events import CustomerEvent
from kehu.customers.models import (
    AgreementStatus,
    ConsentRecord,
    ConsentStatus,
    Contact,
    ContractKind,
    CooperationAgreement,
    Customer,
    CustomerGroup,
    CustomerKind,
    Document,
    DocumentKind,
    GroupMembership,
    GroupRelation,
    InfoChangeLog,
    Licence,
    LicenceKind,
    SalesContract,
)
from kehu.customers.permissions import CustomerPerm
from kehu.customers.selectors import customer_field_value, customer_get, personal_fields
from kehu.customers.services.build import (
    EDITABLE_FIELDS,
    audit_view,
    check_required_by_kind,
    clean_identity,
    org_for_create,
    set_name,
)
from kehu.customers.signals import group_member_joined, group_member_leaving


def _manager(manager_id: Any, unit: OrgUnit) -> User | None:
    if manager_id in (None, ""):
        return None
    if not isinstance(manager_id, int) or isinstance(manager_id, bool):
        raise InvalidInput(_("manager_id must be a user id."), field="manager_id")
    manager = User.objects.filter(pk=manager_id, is_active=True).first()
    if manager is None:
        raise InvalidInput(_("User %(id)s does not exist.") % {"id": manager_id}, field="manager_id")
    if not any(
        g.role == Role.CUSTOMER_MANAGER and unit.path.startswith(g.org_path) for g in access_for(manager).grants
    ):
        raise InvalidInput(_("The manager must be a customer manager of this org unit."), field="manager_id")
    return manager


def _code_taken(uscc: str) -> DuplicateCustomer:
    return DuplicateCustomer(_("A customer with credit code %(code)s already exists.") % {"code": uscc})


def _assert_unique(customer: Customer, *, check_uscc: bool = True) -> None:
    """``check_uscc`` False: the caller leaves the credit code to its unique index (``customer_create``)."""
    others = Customer.objects.exclude(pk=customer.pk) if customer.pk else Customer.objects.all()
    if check_uscc and customer.uscc and others.filter(uscc=customer.uscc).exists():
        raise _code_taken(customer.uscc)
    if customer.id_number_hash and others.filter(id_number_filter(customer.id_number)).exists():
        raise DuplicateCustomer(_("A customer with this resident ID number already exists."))


@transaction.atomic
def customer_create(
    *,
    actor: User | None,
    kind: str,
    name: str,
    org_code: str | None = None,
    manager_id: int | None = None,
    uscc: str | None = None,
    legal_representative: str = "",
    registered_capital_amount: Any = None,
    industry: str = "",
    region: str = "",
    business_scope: str = "",
    address: str = "",
    id_number: str = "",
    phone: str = "",
    email: str = "",
    occupation: str = "",
    channel: str = "",
) -> Customer:
    """Create a customer in the archive, as a prospect awaiting admission."""
    kind = choice(kind, "kind", list(CustomerKind.values))
    name = text(name, "name", max_length=200, required=True)
    unit = org_for_create(actor, org_code)
    customer = Customer(kind=kind, org_unit=unit, org_path=unit.path, created_by=actor)
    set_name(customer, name)
    identity = clean_identity(kind, {"uscc": uscc, "id_number": id_number, "phone": phone, "email": email})
    customer.uscc = identity["uscc"]
    customer.id_number = identity["id_number"]
    set_id_number_hash(customer)
    customer.phone = identity["phone"]
    customer.email = identity["email"]
    customer.legal_representative = text(legal_representative, "legal_representative", max_length=100)
    customer.registered_capital_amount = amount(registered_capital_amount, "registered_capital_amount")
    customer.industry = text(industry, "industry", max_length=100)
    customer.region = text(region, "region", max_length=100)
    customer.business_scope = text(business_scope, "business_scope", max_length=2000)
    customer.address = text(address, "address", max_length=300)
    customer.occupation = text(occupation, "occupation", max_length=100)
    if manager_id is None and actor is not None and access_for(actor).has(CustomerPerm.ADMISSION_SUBMIT):
        customer.manager = actor
    else:
        customer.manager = _manager(manager_id, unit)
    check_required_by_kind(customer)
    # The credit code is left to its unique index (issue 17: one statement less per create): the INSERT
    # refuses a taken code, racing creates included. The ID number is asked first, because its blind
    # index may be kept under more than one key (kehu.customers.blind_index) and the unique index sees one.
    _assert_unique(customer, check_uscc=False)
    try:
        # No savepoint of its own: an IntegrityError leaves this function's transaction (or savepoint, when
        # nested) through the DuplicateCustomer raised here, and nothing runs a statement in between. The row
        # save() would write, without compiling the INSERT each time (no signal listens to Customer).
        insert_one(customer)
    except IntegrityError as exc:
        if customer.uscc and "uscc" in str(exc):
            raise _code_taken(customer.uscc) from None
        # Two creates of the same ID number raced past the check; the unique index decided.
        raise DuplicateCustomer() from None
    audit_record(actor=actor, event_code=CustomerEvent.CUSTOMER_CREATED, object_type="customer", object_id=customer.pk,
                 customer_id=customer.pk, new=audit_view(customer), channel=channel, org_path=customer.org_path)
    return customer


# S3 Art.8: the customer is told of a change to their information and asked to agree. Apps register a hook
# ``hook(consent=, customer=, old=, actor=)`` that sends the notice (kehu.privacy sends it through the outbox);
# ``old`` holds the changed fields' previous values in clear, or None when the change cannot be undone.
CHANGE_NOTICE_HOOKS: list = []
# Fields whose change is internal to the company, not the customer's information.
NOT_NOTIFIED = {"manager_id"}
# Contacts collected while the customer is still being taken on are the first collection, not a change.
ONBOARDING = {"prospect", "in_review"}


def _notify_change(*, customer: Customer, fields: list[str], old: dict | None, actor: User | None,
                   channel: str) -> ConsentRecord:
    consent = ConsentRecord.objects.create(customer=customer, purpose="info_change", fields=fields)
    audit_record(actor=actor, event_code=CustomerEvent.CUSTOMER_CONSENT_RECORDED, object_type="consent",
                 object_id=consent.pk, customer_id=customer.pk, new={"status": "pending", "fields": fields},
                 channel=channel)
    for hook in CHANGE_NOTICE_HOOKS:
        hook(consent=consent, customer=customer, old=old, actor=actor)
    return consent


@transaction.atomic
def customer_update(
    *, actor: User | None, customer_id: int, changes: dict[str, Any], expected_version: int | None = None,
    channel: str = "", notify: bool = True,
) -> Customer:
    """Change archive fields. Changes are logged and the customer is told and asked to agree (S3 Art.8);
    ``notify=False`` only for undoing a change the customer refused."""
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise InvalidInput(_("Unknown or read-only fields: %(f)s.") % {"f": ", ".join(sorted(unknown))},
                           code="unknown_field")
    customer = customer_get(user=actor, customer_id=customer_id, perm=CustomerPerm.CUSTOMER_EDIT, lock=True)
    if expected_version is not None and expected_version != customer.version:

        raise Conflict(code="stale_version")
    before = audit_view(customer)
    before_values = {f: customer_field_value(customer, f) for f in EDITABLE_FIELDS if f != "manager_id"}
    before_values["manager_id"] = customer.manager_id
    identity = clean_identity(customer.kind, {k: v for k, v in changes.items()
                                               if k in ("uscc", "id_number", "phone", "email")})
    for field, value in changes.items():
        if field in identity:
            value = identity[field]
        elif field == "name":
            set_name(customer, text(value, "name", max_length=200, required=True))
            continue
        elif field == "registered_capital_amount":
            value = amount(value, field)
        elif field == "manager_id":
            customer.manager = _manager(value, customer.org_unit)
            continue
        else:
            value = text(value, field, max_length=EDITABLE_FIELDS[field] or 0)
        setattr(customer, field, value)
    if "id_number" in identity:
        set_id_number_hash(customer)
    if customer.is_entity and "uscc" in changes and not customer.uscc:
        raise InvalidInput(_("An enterprise or financial institution needs its unified social credit code."),
                           field="uscc", code="required")
    check_required_by_kind(customer)
    _assert_unique(customer)
    after_values = {f: customer_field_value(customer, f) for f in EDITABLE_FIELDS if f != "manager_id"}
    after_values["manager_id"] = customer.manager_id
    changed = [f for f in EDITABLE_FIELDS if before_values[f] != after_values[f]]
    if not changed:
        return customer
    customer.version += 1
    try:
        with transaction.atomic():
            customer.save()
    except IntegrityError:
        raise DuplicateCustomer() from None
    after = audit_view(customer)
    personal = [f for f in changed if f in personal_fields(customer)]
    for field in changed:
        InfoChangeLog.objects.create(
            customer=customer, field=field, old_display=str(before.get(field) or "")[:500],
            new_display=str(after.get(field) or "")[:500], is_personal=field in personal, actor=actor,
        )
    audit_record(actor=actor, event_code=CustomerEvent.CUSTOMER_UPDATED, object_type="customer", object_id=customer.pk,
                 customer_id=customer.pk, old={f: before[f] for f in changed},
                 new={f: after[f] for f in changed}, channel=channel)
    notified = [f for f in changed if f not in NOT_NOTIFIED]
    if notified and notify:
        _notify_change(customer=customer, fields=notified, old={f: before_values[f] for f in notified},
                       actor=actor, channel=channel)
    return customer


@transaction.atomic
def consent_record(*, actor: User | None, consent_id: int, status: str, channel: str = "") -> ConsentRecord:
    """Record the customer's answer to a change notice."""
    status = choice(status, "status", [ConsentStatus.CONFIRMED, ConsentStatus.DECLINED])
    consent = ConsentRecord.objects.select_for_update().filter(pk=consent_id).first()
    if consent is None:
        raise NotFound()
    customer_get(user=actor, customer_id=consent.customer_id, perm=CustomerPerm.CUSTOMER_CONSENT)
    if consent.status != ConsentStatus.PENDING:

        raise InvalidTransition(_("This consent request is already answered."))
    consent.status = status
    consent.channel = text(channel, "channel", max_length=32)
    consent.responded_at = timezone.now()
    consent.recorded_by = actor
    consent.save(update_fields=["status", "channel", "responded_at", "recorded_by"])
    audit_record(actor=actor, event_code=CustomerEvent.CUSTOMER_CONSENT_RECORDED, object_type="consent",
                 object_id=consent.pk, customer_id=consent.customer_id, old={"status": "pending"},
                 new={"status": status})
    return consent


UNMASKABLE = ("name", "id_number", "phone", "email", "address")


@transaction.atomic
def customer_unmask(
    *, actor: User, customer_id: int, fields: list[str], reason: str, ip: str = "", channel: str = "",
    second_factor: bool = False,
) -> dict[str, str]:
    """Return personal fields in clear text. Needs the permission and a reason; always audited.

    Past ``sec.mfa_unmask_threshold`` unmaskings a day the caller must have logged in with the second
    factor (``second_factor``: the web session's; API tokens never have it)."""
    customer = customer_get(user=actor, customer_id=customer_id, perm=CustomerPerm.CUSTOMER_UNMASK)

    today = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    done_today = AuditEvent.objects.filter(actor=actor, event_code=CustomerEvent.CUSTOMER_UNMASKED, ts__gte=today).count()
    require_for_pii(user=actor, verified=second_factor, rows=done_today + 1, threshold_param="sec.mfa_unmask_threshold")
    reason = text(reason, "reason", max_length=500)
    if len(reason) < int(get_param("privacy.unmask_reason_min_length")):
        raise InvalidInput(_("Give a reason for viewing personal data."), field="reason", code="reason_required")
    fields = list(dict.fromkeys(fields or personal_fields(customer)))
    bad = [f for f in fields if f not in UNMASKABLE]
    if bad:
        raise InvalidInput(_("These fields cannot be unmasked: %(f)s.") % {"f": ", ".join(bad)}, field="fields")
    values = {f: customer_field_value(customer, f) for f in fields}
    audit_record(actor=actor, event_code=CustomerEvent.CUSTOMER_UNMASKED, object_type="customer", object_id=customer.pk,
                 customer_id=customer.pk, new={"fields": fields}, reason=reason, ip=ip, channel=channel)
    return values


def customer_require_tradable(*, customer_id: int, lock: bool = True) -> Customer:
    """The admission guard that every module calls before credit, quotes or orders (S9 Ch.2 §2, C-5).

    Call it inside the transaction that creates the business; the customer row stays locked until it
    commits, so a termination cannot slip in between the check and the write.
    """
    queryset = Customer.objects.select_for_update() if lock else Customer.objects
    customer = queryset.filter(pk=customer_id).first()
    if customer is None:
        raise NotFound()
    if not rules.can_transact(customer.admission_status):
        raise CustomerNotTradable()
    return customer


# ------------------------------------------------------------------ contacts


@transaction.atomic
def contact_add(
    *, actor: User | None, customer_id: int, name: str, title: str = "", phone: str = "", email: str = "",
    is_primary: bool = False,
) -> Contact:
    customer = customer_get(user=actor, customer_id=customer_id, perm=CustomerPerm.CUSTOMER_EDIT, lock=True)
    identity = clean_identity(customer.kind, {"phone": phone, "email": email})
    contact = Contact.objects.create(
        customer=customer, name=text(name, "name", max_length=100, required=True),
        title=text(title, "title", max_length=100), phone=identity["phone"], email=identity["email"],
        is_primary=bool(is_primary),
    )
    if contact.is_primary:
        customer.contacts.exclude(pk=contact.pk).update(is_primary=False)
    audit_record(actor=actor, event_code=CustomerEvent.CONTACT_ADDED, object_type="contact", object_id=contact.pk,
                 customer_id=customer.pk, new={"name": contact.name, "title": contact.title,
                                               "phone": mask("phone", contact.phone),
                                               "email": mask("email", contact.email)})
    if customer.admission_status not in ONBOARDING:
        _notify_change(customer=customer, fields=["contacts"], old=None, actor=actor, channel="")
    return contact


@transaction.atomic
def contact_remove(*, actor: User | None, contact_id: int) -> None:
    contact = Contact.objects.filter(pk=contact_id).first()
    if contact is None:
        raise NotFound()
    customer = customer_get(user=actor, customer_id=contact.customer_id, perm=CustomerPerm.CUSTOMER_EDIT, lock=True)
    audit_record(actor=actor, event_code=CustomerEvent.CONTACT_REMOVED, object_type="contact", object_id=contact.pk,
                 customer_id=contact.customer_id, old={"name": contact.name})
    contact.delete()
    if customer.admission_status not in ONBOARDING:
        _notify_change(customer=customer, fields=["contacts"], old=None, actor=actor, channel="")


# ------------------------------------------------------------------ documents


def _files_dir():
    return private_dir(settings.KEHU_FILES_DIR)


@transaction.atomic
def document_upload(
    *, actor: User | None, customer_id: int, kind: str, title: str, filename: str, content_type: str,
    data: bytes,
) -> Document:
    """Store a file of the customer archive, encrypted at rest (domain spec C-11)."""
    customer = customer_get(user=actor, customer_id=customer_id, perm=CustomerPerm.DOCUMENT_MANAGE, lock=True)
    kind = choice(kind, "kind", list(DocumentKind.values))
    if not data:
        raise InvalidInput(_("The file is empty."), field="file")
    if len(data) > settings.KEHU_MAX_UPLOAD_BYTES:
        raise InvalidInput(_("The file is larger than %(n)d bytes.") % {"n": settings.KEHU_MAX_UPLOAD_BYTES},
                           field="file", code="too_large")
    filename = text(filename.replace("/", "_").replace("\\", "_"), "filename", max_length=255, required=True)
    storage_name = uuid.uuid4().hex
    # The file is written before the row commits; a rollback leaves an orphan file, never a row
    # without its file. `kehu manage` can sweep orphans later.
    (_files_dir() / storage_name).write_bytes(keyring().encrypt_bytes(data))
    document = Document.objects.create(
        customer=customer, kind=kind, title=text(title or filename, "title", max_length=200, required=True),
        filename=filename, content_type=text(content_type or "application/octet-stream", "content_type",
                                             max_length=100),
        size=len(data), sha256=hashlib.sha256(data).hexdigest(), storage_name=storage_name, uploaded_by=actor,
    )
    audit_record(actor=actor, event_code=CustomerEvent.DOCUMENT_UPLOADED, object_type="document", object_id=document.pk,
                 customer_id=customer.pk, new={"kind": kind, "filename": filename, "size": len(data),
                                               "sha256": document.sha256})
    return document


@transaction.atomic
def document_read(*, actor: User | None, document_id: int) -> tuple[Document, bytes]:
    """Return a document's bytes, decrypted and checked against its hash. The read is audited."""
    document = Document.objects.filter(pk=document_id).first()
    if document is None:
        raise NotFound()
    customer_get(user=actor, customer_id=document.customer_id, perm=CustomerPerm.CUSTOMER_VIEW)
    try:
        data = keyring().decrypt_bytes((_files_dir() / document.storage_name).read_bytes())
    except (DecryptionError, FileNotFoundError):
        # A tampered or missing file is a domain error with a stable code, not a crash.
        data = None
    if data is None or hashlib.sha256(data).hexdigest() != document.sha256:
        raise InvalidInput(_("The stored file does not match its hash."), code="file_corrupt")
    audit_record(actor=actor, event_code=CustomerEvent.DOCUMENT_DOWNLOADED, object_type="document", object_id=document.pk,
                 customer_id=document.customer_id)
    return document, data


# ------------------------------------------------------------------ licences, contracts, agreements


@transaction.atomic
def licence_add(
    *, actor: User | None, customer_id: int, kind: str, number: str, issuer: str = "", valid_from: Any = None,
    valid_to: Any = None, annual_report_ok: bool = True, document_id: int | None = None,
) -> Licence:
    customer = customer_get(user=actor, customer_id=customer_id, perm=CustomerPerm.DOCUMENT_MANAGE, lock=True)
    licence = Licence(
        customer=customer, kind=choice(kind, "kind", list(LicenceKind.values)),
        number=text(number, "number", max_length=64, required=True), issuer=text(issuer, "issuer", max_length=200),
        valid_from=day(valid_from, "valid_from"), valid_to=day(valid_to, "valid_to"),
        annual_report_ok=bool(annual_report_ok),
    )
    if licence.valid_from and licence.valid_to and licence.valid_to < licence.valid_from:
        raise InvalidInput(_("valid_to is before valid_from."), field="valid_to")
    if document_id is not None:
        licence.document = customer.documents.filter(pk=document_id).first()
        if licence.document is None:
            raise InvalidInput(_("Document %(id)s is not in this customer's archive.") % {"id": document_id},
                               field="document_id")
    licence.save()
    audit_record(actor=actor, event_code=CustomerEvent.LICENCE_ADDED, object_type="licence", object_id=licence.pk,
                 customer_id=customer.pk, new={"kind": licence.kind, "number": licence.number,
                                               "valid_from": str(licence.valid_from), "valid_to": str(licence.valid_to),
                                               "annual_report_ok": licence.annual_report_ok})
    return licence


@transaction.atomic
def contract_file(
    *, actor: User | None, customer_id: int, number: str, signed_on: Any, title: str = "",
    kind: str = ContractKind.PURCHASE_SALES, valid_to: Any = None, amount_value: Any = None,
    document_id: int | None = None,
) -> SalesContract:
    """Put a purchase/sales contract on file (S9 Ch.4 §2)."""
    customer = customer_get(user=actor, customer_id=customer_id, perm=CustomerPerm.DOCUMENT_MANAGE, lock=True)
    contract = SalesContract(
        customer=customer, number=text(number, "number", max_length=64, required=True),
        title=text(title, "title", max_length=200), kind=choice(kind, "kind", list(ContractKind.values)),
        signed_on=day(signed_on, "signed_on", required=True), valid_to=day(valid_to, "valid_to"),
        amount=amount(amount_value, "amount"),
    )
    if contract.valid_to and contract.valid_to < contract.signed_on:
        raise InvalidInput(_("valid_to is before signed_on."), field="valid_to")
    if customer.contracts.filter(number=contract.number).exists():

        raise Conflict(_("Contract %(n)s is already on file.") % {"n": contract.number}, code="duplicate")
    if document_id is not None:
        contract.document = customer.documents.filter(pk=document_id).first()
        if contract.document is None:
            raise InvalidInput(_("Document %(id)s is not in this customer's archive.") % {"id": document_id},
                               field="document_id")
    contract.save()
    audit_record(actor=actor, event_code=CustomerEvent.CONTRACT_FILED, object_type="contract", object_id=contract.pk,
                 customer_id=customer.pk, new={"number": contract.number, "kind": contract.kind,
                                               "signed_on": str(contract.signed_on),
                                               "amount": str(contract.amount) if contract.amount is not None else None})
    return contract


@transaction.atomic
def agreement_sign(
    *, actor: User | None, customer_id: int, number: str, signed_on: Any, valid_to: Any = None
) -> CooperationAgreement:
    """Record the sales-cooperation agreement (销售合作协议, S9 Ch.2 §3)."""
    customer = customer_get(user=actor, customer_id=customer_id, perm=CustomerPerm.DOCUMENT_MANAGE, lock=True)
    if not rules.can_transact(customer.admission_status):
        raise CustomerNotTradable(_("A cooperation agreement is signed only with a qualified customer."))
    agreement = CooperationAgreement.objects.create(
        customer=customer, number=text(number, "number", max_length=64, required=True),
        signed_on=day(signed_on, "signed_on", required=True), valid_to=day(valid_to, "valid_to"),
    )
    audit_record(actor=actor, event_code=CustomerEvent.AGREEMENT_SIGNED, object_type="agreement", object_id=agreement.pk,
                 customer_id=customer.pk, new={"number": agreement.number, "signed_on": str(agreement.signed_on)})
    return agreement


def _terminate_agreements(customer: Customer, actor: User | None, reason: str) -> None:
    for agreement in customer.agreements.select_for_update().filter(status=AgreementStatus.ACTIVE):
        agreement.status = AgreementStatus.TERMINATED
        agreement.terminated_at = timezone.now()
        agreement.termination_reason = reason[:200]
        agreement.save(update_fields=["status", "terminated_at", "termination_reason"])
        audit_record(actor=actor, event_code=CustomerEvent.AGREEMENT_TERMINATED, object_type="agreement",
                     object_id=agreement.pk, customer_id=customer.pk, old={"status": "active"},
                     new={"status": "terminated"}, reason=reason)


# ------------------------------------------------------------------ groups


@transaction.atomic
def group_create(*, actor: User | None, code: str, name: str, org_code: str) -> CustomerGroup:
    unit = OrgUnit.objects.filter(code=org_code).first()
    if unit is None:
        raise InvalidInput(_("Org unit %(code)s does not exist.") % {"code": org_code}, field="org_code")
    if actor is not None and not access_for(actor).reaches(CustomerPerm.GROUP_MANAGE, org_path=unit.path):
        raise PermissionDenied()
    code = text(code, "code", max_length=32, required=True)
    if CustomerGroup.objects.filter(code=code).exists():

        raise Conflict(_("Group %(code)s already exists.") % {"code": code}, code="duplicate")
    group = CustomerGroup.objects.create(code=code, name=text(name, "name", max_length=200, required=True),
                                         org_unit=unit, org_path=unit.path)
    audit_record(actor=actor, event_code=CustomerEvent.GROUP_CREATED, object_type="group", object_id=group.pk,
                 new={"code": code, "name": group.name, "org": org_code})
    return group


@transaction.atomic
def group_add_member(
    *, actor: User | None, group_id: int, customer_id: int, relation: str, evidence: str = "", since: Any = None
) -> GroupMembership:
    group = CustomerGroup.objects.select_for_update().filter(pk=group_id).first()
    require(actor, CustomerPerm.GROUP_MANAGE, view=CustomerPerm.CUSTOMER_VIEW, org_path=group.org_path if group else None)
    customer = customer_get(user=actor, customer_id=customer_id, perm=CustomerPerm.GROUP_MANAGE, lock=True)
    if GroupMembership.objects.filter(customer=customer).exists():

        raise Conflict(_("The customer already belongs to a group."), code="already_in_group")
    membership = GroupMembership.objects.create(
        group=group, customer=customer, relation=choice(relation, "relation", list(GroupRelation.values)),
        evidence=text(evidence, "evidence", max_length=500), since=day(since, "since"),
    )
    group_member_joined.send(sender=GroupMembership, customer_id=customer.pk, group_id=group.pk, actor=actor)
    audit_record(actor=actor, event_code=CustomerEvent.GROUP_MEMBER_ADDED, object_type="group", object_id=group.pk,
                 customer_id=customer.pk, new={"relation": relation, "evidence": membership.evidence})
    return membership


@transaction.atomic
def group_remove_member(*, actor: User | None, group_id: int, customer_id: int) -> None:
    membership = GroupMembership.objects.filter(group_id=group_id, customer_id=customer_id).first()
    if membership is None:
        raise NotFound()
    customer_get(user=actor, customer_id=customer_id, perm=CustomerPerm.GROUP_MANAGE, lock=True)
    group_member_leaving.send(sender=GroupMembership, customer_id=customer_id, group_id=group_id, actor=actor)
    audit_record(actor=actor, event_code=CustomerEvent.GROUP_MEMBER_REMOVED, object_type="group", object_id=group_id,
                 customer_id=customer_id, old={"relation": membership.relation})
    membership.delete()
