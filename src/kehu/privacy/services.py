"""Writes of the privacy app: notices, consents, data-subject requests, legal holds, erasure and the
retention sweeper. Each is one transaction with its audit row (audit rows hold masked values only)."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import ProtectedError
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from kehu.core.access import require
from kehu.core.audit import audit_record
from kehu.core.errors import InvalidInput, InvalidTransition, NotFound, PermissionDenied
from kehu.core.forms import event_names
from kehu.core.inputs import choice, text
from kehu.core.keys import encrypted_models
from kehu.core.models import AuditEvent, User
from kehu.core.params import get_param
from kehu.core.retention import subject_sections
from kehu.core.selectors import access_for, calendar_for
from kehu.customers.models import ConsentRecord, Contact, Customer, CustomerKind, Document, InfoChangeLog
from kehu.customers.selectors import customer_get
from kehu.privacy.retention import retention_sweep as sweep

from . import ledger, permissions, rules
from .events import PrivacyEvent
from .models import (
    Consent,
    DataSubjectRequest,
    Erasure,
    LegalHold,
    PersonalField,
    PrivacyNotice,
    ProcessingPurpose,
    RequestKind,
    RequestState,
    RetentionPolicy,
    SweepRun,
)

# --------------------------------------------------------------------------------------- notices, consent


def notice_publish(*, actor: User | None, version: str, content: str, effective_from) -> PrivacyNotice:
    version = text(version, "version", max_length=32, required=True)
    with transaction.atomic():
        if PrivacyNotice.objects.filter(version=version).exists():
            raise InvalidInput(_("Notice version %(v)s exists already; publish a new version.") % {"v": version},
                               field="version")
        notice = PrivacyNotice.objects.create(version=version, content=text(content, "content", max_length=100000, required=True),
                                              effective_from=effective_from)
        audit_record(actor=actor, event_code=PrivacyEvent.NOTICE_PUBLISHED, object_type="privacy_notice",
                     object_id=notice.pk, new={"version": version, "effective_from": str(effective_from)})
    return notice


def notice_current(on=None) -> PrivacyNotice | None:
    on = on or timezone.localdate()
    return PrivacyNotice.objects.filter(effective_from__lte=on).order_by("-effective_from", "-id").first()


def _sensitive_purpose(purpose: ProcessingPurpose) -> bool:
    return PersonalField.objects.filter(purpose=purpose, sensitive=True).exists()


def consent_give(*, actor: User | None, customer_id: int, purpose_code: str, channel: str,
                 separate: bool = False, now: datetime | None = None) -> Consent:
    """Record consent to one purpose under the notice in force (PI-2/PI-3). A purpose that covers sensitive
    personal information needs a separate consent (PI-6, PIPL Art.29)."""
    now = now or timezone.now()
    channel = choice(channel, "channel", list(Consent.Channel.values))
    with transaction.atomic():
        customer = customer_get(user=actor, customer_id=customer_id, perm=permissions.RECEIVE, lock=True)
        purpose = ProcessingPurpose.objects.filter(code=purpose_code).first()
        if purpose is None:
            raise InvalidInput(_("Unknown processing purpose."), field="purpose")
        notice = notice_current(timezone.localdate(now))
        if notice is None:
            raise InvalidInput(_("No privacy notice is in force; publish one first."), code="no_notice")
        if _sensitive_purpose(purpose) and not separate:
            raise InvalidInput(_("This purpose covers sensitive personal information and needs a separate consent."),
                               code="separate_consent_required")
        live = Consent.objects.select_for_update().filter(customer=customer, purpose=purpose,
                                                          withdrawn_at__isnull=True).first()
        if live is not None and live.notice_id == notice.pk:
            return live
        if live is not None:  # fresh consent under a new notice replaces the old one (PI-3)
            live.withdrawn_at = now
            live.save(update_fields=["withdrawn_at"])
        consent = Consent.objects.create(customer=customer, purpose=purpose, notice=notice, channel=channel,
                                         kind=Consent.Kind.SEPARATE if separate else Consent.Kind.GENERAL,
                                         given_at=now, recorded_by=actor)
        audit_record(actor=actor, event_code=PrivacyEvent.CONSENT_GIVEN, object_type="consent", object_id=consent.pk,
                     customer_id=customer.pk, new={"purpose": purpose.code, "notice": notice.version,
                                                   "channel": channel, "kind": consent.kind})
    return consent


def consent_withdraw(*, actor: User | None, consent_id: int, now: datetime | None = None) -> Consent:
    now = now or timezone.now()
    with transaction.atomic():
        consent = Consent.objects.select_for_update().filter(pk=consent_id).first()
        if consent is None:
            raise NotFound()
        customer_get(user=actor, customer_id=consent.customer_id, perm=permissions.RECEIVE)
        if consent.withdrawn_at is not None:
            return consent
        consent.withdrawn_at = now
        consent.save(update_fields=["withdrawn_at"])
        audit_record(actor=actor, event_code=PrivacyEvent.CONSENT_WITHDRAWN, object_type="consent",
                     object_id=consent.pk, customer_id=consent.customer_id,
                     new={"purpose": consent.purpose.code, "withdrawn_at": now.isoformat()})
    return consent


def has_consent(customer_id: int, purpose_code: str) -> bool:
    return Consent.objects.filter(customer_id=customer_id, purpose__code=purpose_code,
                                  withdrawn_at__isnull=True).exists()


def unregistered_personal_fields() -> list[str]:
    """Encrypted (personal) fields of any model that the register does not tie to a purpose (PI-1)."""

    registered = set(PersonalField.objects.values_list("model", "field"))
    return sorted(f"{m.label}.{name}" for m in encrypted_models() for name in m.fields
                  if (m.label, name) not in registered)


# --------------------------------------------------------------------------------------- requests

def _calendar(customer: Customer):
    return calendar_for(customer.org_path)


def _request(actor: User | None, request_id: int, *, lock: bool = True) -> DataSubjectRequest:
    queryset = DataSubjectRequest.objects.select_related("customer")
    request = (queryset.select_for_update(of=("self",)) if lock else queryset).filter(pk=request_id).first()
    if request is None:
        raise NotFound()
    # The scope rule of every module (kehu.core.access.require): outside the caller's reach the request does
    # not exist (404); a reader who reaches it may not handle it (403).
    require(actor, permissions.HANDLE, view=permissions.VIEW, org_path=request.customer.org_path,
            owner_id=request.customer.manager_id)
    return request


def request_receive(*, actor: User | None, customer_id: int, kind: str, channel: str, detail: str = "",
                    now: datetime | None = None) -> DataSubjectRequest:
    """Take a request from the person (PI-8); it is due in 15 working days on the business calendar, at the
    latest 30 calendar days after it was received."""
    now = now or timezone.now()
    kind = choice(kind, "kind", list(RequestKind.values))
    channel = choice(channel, "channel", list(Consent.Channel.values))
    with transaction.atomic():
        customer = customer_get(user=actor, customer_id=customer_id, perm=permissions.RECEIVE)
        on = timezone.localdate(now)
        due, cap = rules.request_due(now, _calendar(customer),
                                     working_days=int(get_param("privacy.dsar_sla_working_days", on=on)),
                                     cap_days=int(get_param("privacy.dsar_cap_days", on=on)))
        request = DataSubjectRequest.objects.create(
            customer=customer, kind=kind, channel=channel, detail=text(detail, "detail", max_length=4000),
            received_at=now, received_by=actor, due_at=due, cap_at=cap)
        audit_record(actor=actor, event_code=PrivacyEvent.REQUEST_RECEIVED, object_type="privacy_request",
                     object_id=request.pk, customer_id=customer.pk,
                     new={"kind": kind, "channel": channel, "due": due.isoformat()})
    return request


def request_verify(*, actor: User | None, request_id: int, verification: str,
                   now: datetime | None = None) -> DataSubjectRequest:
    now = now or timezone.now()
    verification = text(verification, "verification", max_length=200, required=True)
    with transaction.atomic():
        request = _request(actor, request_id)
        if request.state != RequestState.RECEIVED:
            raise InvalidTransition()
        request.state, request.verified_at, request.verified_by = RequestState.VERIFIED, now, actor
        request.verification = verification
        request.save(update_fields=["state", "verified_at", "verified_by", "verification"])
        audit_record(actor=actor, event_code=PrivacyEvent.REQUEST_VERIFIED, object_type="privacy_request",
                     object_id=request.pk, customer_id=request.customer_id, new={"verification": verification})
    return request


def request_refuse(*, actor: User | None, request_id: int, reason: str,
                   now: datetime | None = None) -> DataSubjectRequest:
    """A refusal states its reasons (PIPL Art.50)."""
    now = now or timezone.now()
    reason = text(reason, "reason", max_length=4000, required=True)
    with transaction.atomic():
        request = _request(actor, request_id)
        if request.state not in (RequestState.RECEIVED, RequestState.VERIFIED):
            raise InvalidTransition()
        request.state, request.reason, request.closed_at, request.closed_by = RequestState.REFUSED, reason, now, actor
        request.save(update_fields=["state", "reason", "closed_at", "closed_by"])
        audit_record(actor=actor, event_code=PrivacyEvent.REQUEST_REFUSED, object_type="privacy_request",
                     object_id=request.pk, customer_id=request.customer_id, reason=reason[:500])
    return request


def request_complete(*, actor: User | None, request_id: int, outcome: str,
                     now: datetime | None = None) -> DataSubjectRequest:
    """Answer a verified request. A deletion erases the person's data, or, under a legal hold, restricts the
    record instead and says so (PI-9)."""
    now = now or timezone.now()
    outcome = text(outcome, "outcome", max_length=4000, required=True)
    with transaction.atomic():
        request = _request(actor, request_id)
        if request.state != RequestState.VERIFIED:
            raise InvalidTransition(_("Verify the person's identity first."))
        if request.kind == RequestKind.DELETION:
            # privacy.retention imports privacy.services: importing it at the top would be a cycle
            from .retention import hold_kinds

            # explicit holds and the apps' hold rules (open complaint, suitability records, AML period)
            kinds = hold_kinds([request.customer_id], timezone.localdate(now)).get(request.customer_id, [])
            if kinds:
                _restrict(request.customer, actor=actor, kinds=kinds)
                request.reason = _("Kept under a legal hold (%(kinds)s): the record is restricted, not deleted; it "
                                   "is deleted when the hold ends.") % {"kinds": ", ".join(kinds)}
            else:
                erase_customer(customer_id=request.customer_id, actor=actor, cause=Erasure.Cause.REQUEST,
                               request=request, now=now)
        request.state, request.outcome, request.closed_at, request.closed_by = RequestState.DONE, outcome, now, actor
        request.save(update_fields=["state", "outcome", "reason", "closed_at", "closed_by"])
        audit_record(actor=actor, event_code=PrivacyEvent.REQUEST_DONE, object_type="privacy_request",
                     object_id=request.pk, customer_id=request.customer_id,
                     new={"kind": request.kind, "restricted": bool(request.reason)})
    return request


def request_export(*, actor: User | None, request_id: int) -> bytes:
    """Access and copy (PIPL Art.45): everything kehu holds about the person, as readable JSON, in clear."""
    with transaction.atomic():
        request = _request(actor, request_id, lock=False)
        if request.kind != RequestKind.ACCESS or request.state not in (RequestState.VERIFIED, RequestState.DONE):
            raise InvalidTransition(_("Only a verified access request can be exported."))
        data = subject_data(request.customer_id)
        audit_record(actor=actor, event_code=PrivacyEvent.REQUEST_EXPORTED, object_type="privacy_request",
                     object_id=request.pk, customer_id=request.customer_id,
                     new={"sections": sorted(data), "contacts": len(data["联系人"]), "documents": len(data["文件"])})
    return json.dumps(data, ensure_ascii=False, indent=2, default=str).encode("utf-8")


def subject_data(customer_id: int) -> dict[str, Any]:
    """The person's archive and the privacy app's own records, then every app's registered part
    (``kehu.core.retention.register_subject_section``: tickets, visits, survey answers, accounts, ...), then the
    audit trail. The copy is a Chinese document whatever the staff member's language: its headings are Chinese,
    so are the choice labels and event names in it."""
    with translation.override(settings.LANGUAGE_CODE):
        return _subject_data(customer_id)


def _subject_data(customer_id: int) -> dict[str, Any]:
    c = Customer.objects.get(pk=customer_id)
    own = {
        "客户": {"编号": c.pk, "类型": c.get_kind_display(), "名称": c.true_name,
               "身份证号": c.id_number, "手机": c.phone, "电子邮件": c.email, "地址": c.address, "职业": c.occupation,
               "法定代表人": c.legal_representative, "统一社会信用代码": c.uscc, "地区": c.region, "行业": c.industry,
               "准入状态": c.get_admission_status_display(), "建档时间": c.created_at.isoformat()},
        "联系人": [{"姓名": x.name, "职务": x.title, "电话": x.phone, "电子邮件": x.email}
                for x in Contact.objects.filter(customer_id=customer_id)],
        "文件": [{"标题": d.title, "文件名": d.filename, "类型": d.get_kind_display(), "上传时间": d.uploaded_at.isoformat()}
               for d in Document.objects.filter(customer_id=customer_id)],
        "同意记录": [{"目的": x.purpose.name, "告知版本": x.notice.version, "方式": x.get_channel_display(),
                  "时间": x.given_at.isoformat(), "撤回时间": x.withdrawn_at.isoformat() if x.withdrawn_at else None}
                 for x in Consent.objects.filter(customer_id=customer_id).select_related("purpose", "notice")],
        "信息变更通知": [{"字段": x.fields, "状态": x.get_status_display(), "时间": x.requested_at.isoformat()}
                   for x in ConsentRecord.objects.filter(customer_id=customer_id)],
        "变更记录": [{"字段": x.field, "原值(已遮蔽)": x.old_display, "新值(已遮蔽)": x.new_display,
                  "时间": x.ts.isoformat()} for x in InfoChangeLog.objects.filter(customer_id=customer_id)[:1000]],
        "处理目的": [{"目的": p.name, "法律依据": p.get_legal_basis_display(), "说明": p.description}
                 for p in ProcessingPurpose.objects.all()],
        "个人信息请求": [{"类型": r.get_kind_display(), "状态": r.get_state_display(), "收到": r.received_at.isoformat()}
                   for r in DataSubjectRequest.objects.filter(customer_id=customer_id)],
    }
    for section in subject_sections():
        own[section.title] = section.rows(customer_id)
    names = event_names()
    own["操作记录"] = [{"时间": e.ts.isoformat(), "事件": str(names.get(e.event_code, e.event)), "操作人": e.actor_name}
                   for e in AuditEvent.objects.filter(customer_id=customer_id).order_by("pk")[:5000]]
    return own


# --------------------------------------------------------------------------------------- holds, restriction

def active_holds(customer_id: int, today) -> list[LegalHold]:
    return [h for h in LegalHold.objects.filter(customer_id=customer_id, released_at__isnull=True)
            if rules.hold_is_active(released_at=h.released_at, until=h.until, today=today)]


def hold_place(*, actor: User | None, customer_id: int, kind: str, reason: str, until=None,
               now: datetime | None = None) -> LegalHold:
    now = now or timezone.now()
    kind = choice(kind, "kind", list(LegalHold.Kind.values))
    reason = text(reason, "reason", max_length=300, required=True)
    with transaction.atomic():
        if actor is not None and not access_for(actor).has(permissions.HANDLE):
            raise PermissionDenied()
        customer = Customer.objects.select_for_update().filter(pk=customer_id).first()
        if customer is None:
            raise NotFound()
        hold = LegalHold.objects.create(customer=customer, kind=kind, reason=reason, placed_at=now, placed_by=actor,
                                        until=until)
        audit_record(actor=actor, event_code=PrivacyEvent.HOLD_PLACED, object_type="legal_hold", object_id=hold.pk,
                     customer_id=customer.pk, new={"kind": kind, "until": str(until) if until else None},
                     reason=reason)
    return hold


def hold_release(*, actor: User | None, hold_id: int, now: datetime | None = None) -> LegalHold:
    now = now or timezone.now()
    with transaction.atomic():
        if actor is not None and not access_for(actor).has(permissions.HANDLE):
            raise PermissionDenied()
        hold = LegalHold.objects.select_for_update().filter(pk=hold_id, released_at__isnull=True).first()
        if hold is None:
            raise NotFound()
        hold.released_at = now
        hold.save(update_fields=["released_at"])
        audit_record(actor=actor, event_code=PrivacyEvent.HOLD_RELEASED, object_type="legal_hold", object_id=hold.pk,
                     customer_id=hold.customer_id)
    return hold


def _restrict(customer: Customer, *, actor: User | None, kinds: list[str]) -> None:
    if customer.pi_restricted:
        return
    Customer.objects.filter(pk=customer.pk).update(pi_restricted=True)
    audit_record(actor=actor, event_code=PrivacyEvent.RECORD_RESTRICTED, object_type="customer",
                 object_id=customer.pk, customer_id=customer.pk, new={"holds": kinds})


# --------------------------------------------------------------------------------------- erasure

ERASED_NAME = "已删除"


def _erase_rows(customer_id: int, *, using: str, files_dir: Path, delete_row: bool) -> tuple[str, dict]:
    """Remove the person's data from one database (the live one, or a restored copy). -> (action, counts)."""
    documents = list(Document.objects.using(using).filter(customer_id=customer_id).values_list("pk", "storage_name"))
    contacts = Contact.objects.using(using).filter(customer_id=customer_id).delete()[0]
    Document.objects.using(using).filter(pk__in=[pk for pk, _s in documents]).delete()
    counts = {"contacts": contacts, "documents": len(documents)}
    names = [s for _pk, s in documents]
    transaction.on_commit(lambda: [(files_dir / n).unlink(missing_ok=True) for n in names], using=using)
    if delete_row:
        try:
            with transaction.atomic(using=using):
                Customer.objects.using(using).filter(pk=customer_id).delete()
            return "deleted", counts
        except ProtectedError:
            pass  # business records (orders, applications, tickets) refer to it: anonymise instead
    customer = Customer.objects.using(using).filter(pk=customer_id).first()
    if customer is None:
        return "deleted", counts
    values = {"name_encrypted": "", "name_pinyin": "", "name_initials": "", "id_number": "", "id_number_hash": None,
              "phone": "", "email": "", "address": "", "occupation": "", "pi_restricted": False}
    if customer.kind in (CustomerKind.INDIVIDUAL, "scattered"):
        values["name"] = f"{ERASED_NAME}{customer_id}"
    else:
        values["legal_representative"] = ""
    for field, value in values.items():
        setattr(customer, field, value)
    customer.version += 1
    customer.save(using=using, update_fields=[*values, "version", "updated_at"])
    return "anonymised", counts


def erase_customer(*, customer_id: int, actor: User | None, cause: str, request: DataSubjectRequest | None = None,
                   policy: RetentionPolicy | None = None, now: datetime | None = None) -> Erasure:
    """Erase the person's data (PIPL Art.47) and append the fact to the ledger outside the database."""
    now = now or timezone.now()
    with transaction.atomic():
        delete_row = policy is not None and policy.action == RetentionPolicy.Action.DELETE
        action, counts = _erase_rows(customer_id, using="default", files_dir=Path(settings.KEHU_FILES_DIR),
                                     delete_row=delete_row)
        erasure = Erasure.objects.create(customer_ref=customer_id, cause=cause, request=request, policy=policy, at=now,
                                         action=action, counts=counts)
        audit_record(actor=actor, event_code=PrivacyEvent.PERSONAL_DATA_ERASED, object_type="customer",
                     object_id=customer_id, customer_id=customer_id,
                     new={"cause": cause, "action": action, **counts,
                          "policy": policy.data_class if policy else None, "request": request.pk if request else None})
        entry = {"customer": customer_id, "at": now.isoformat(), "cause": cause, "action": action,
                 "delete_row": delete_row, "erasure": erasure.pk}
        transaction.on_commit(lambda: ledger.append(entry))
    return erasure


def reapply_erasures(*, using: str, files_dir: Path, since: datetime) -> dict:
    """D-9: after a restore, erase again what was erased after the backup was made (from the ledger)."""
    entries = ledger.entries_since(since)
    applied = []
    with transaction.atomic(using=using):
        for entry in entries:
            pk = int(entry["customer"])
            if not Customer.objects.using(using).filter(pk=pk).exists():
                continue
            action, counts = _erase_rows(pk, using=using, files_dir=files_dir, delete_row=entry.get("delete_row", False))
            Erasure.objects.using(using).create(customer_ref=pk, cause=entry["cause"], at=timezone.now(),
                                                action=action, counts=counts, reapplied=True)
            applied.append(pk)
        if applied:
            audit_record(actor=None, event_code=PrivacyEvent.ERASURE_REAPPLIED, object_type="restore",
                         new={"since": since.isoformat(), "customers": applied}, using=using)
    return {"ledger_entries": len(entries), "reapplied": applied}


# --------------------------------------------------------------------------------------- retention

def retention_sweep(*, actor: User | None = None, dry_run: bool = True, now: datetime | None = None) -> SweepRun:
    """The nightly sweeper over every registered data class (kehu.privacy.retention)."""

    return sweep(actor=actor, dry_run=dry_run, now=now)
