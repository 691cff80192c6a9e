"""S3 Art.8 (本企业应定期更新客户基本信息,并在信息变更后及时通知客户,并征得客户同意): a change to the customer's
information is told to the customer through the outbox, with a single-use signed link on which they agree or
refuse. A refusal undoes the change or flags it for the customer manager (``privacy.refused_change_action``).
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kehu.core.audit import audit_record
from kehu.core.errors import InvalidInput
from kehu.core.params import get_param
from kehu.customers.models import ConsentRecord, ConsentStatus, Contact, Customer
from kehu.customers.selectors import customer_field_value
from kehu.customers.services import customer_update
from kehu.outbox import services as outbox

from .events import PrivacyEvent
from .models import ChangeNotice

LINK_PURPOSE = "privacy.change_answer"

FIELD_LABELS = {
    "name": "名称/姓名", "id_number": "身份证号", "phone": "手机号码", "email": "电子邮件", "address": "地址",
    "occupation": "职业", "contacts": "联系人", "uscc": "统一社会信用代码", "legal_representative": "法定代表人",
    "registered_capital_amount": "注册资本", "industry": "行业", "region": "地区", "business_scope": "经营范围",
}


def _recipient(customer: Customer) -> tuple[str, str] | None:
    """Where to tell the customer: their e-mail, else their mobile, else the primary contact's."""
    if customer.email:
        return "email", customer.email
    if customer.phone:
        return "sms", customer.phone
    contact = Contact.objects.filter(customer=customer).order_by("-is_primary", "id").first()
    if contact is not None and contact.email:
        return "email", contact.email
    if contact is not None and contact.phone:
        return "sms", contact.phone
    return None


def notify_change(*, consent: ConsentRecord, customer: Customer, old: dict | None, actor=None,
                  now: datetime | None = None) -> ChangeNotice:
    """The hook ``customer_update`` / ``contact_add`` / ``contact_remove`` call in their own transaction."""
    now = now or timezone.now()
    notice = ChangeNotice.objects.create(consent=consent, customer=customer, created_at=now,
                                         old_values=json.dumps(old, ensure_ascii=False, default=str) if old else "")
    where = _recipient(customer)
    if where is None:
        notice.outcome = ChangeNotice.Outcome.UNREACHABLE
        notice.save(update_fields=["outcome"])
        return notice
    channel, to = where
    days = int(get_param("privacy.change_link_days", on=timezone.localdate(now)))
    link, token = outbox.link_issue(purpose=LINK_PURPOSE, target_type="change_notice", target_id=notice.pk,
                                    expires_at=now + timedelta(days=days), actor=actor, now=now)
    url = outbox.public_url(f"/privacy/answer/{token}/")
    labels = "、".join(FIELD_LABELS.get(f, f) for f in consent.fields)
    body = (f"尊敬的客户:您在本公司的客户信息({labels})已于{timezone.localtime(now):%Y-%m-%d %H:%M}变更。"
            f"请在{days}天内打开以下链接确认是否同意:{url} 如非本人意愿,请选择不同意。")
    message = outbox.message_enqueue(channel=channel, to=to, subject="客户信息变更确认", body=body,
                                     purpose="info_change", related_type="privacy.change_notice",
                                     related_id=notice.pk, actor=actor, now=now)
    notice.link, notice.message = link, message
    notice.save(update_fields=["link", "message"])
    return notice


def notice_for_token(token: str) -> ChangeNotice:
    link = outbox.link_peek(token=token, purpose=LINK_PURPOSE)
    return ChangeNotice.objects.select_related("consent", "customer").get(pk=int(link.target_id))


def change_answer(*, token: str, agree: bool, now: datetime | None = None) -> ChangeNotice:
    """The customer's answer from the link (once). A refusal undoes the change when the parameter says so and
    the fields still hold what the change wrote; otherwise the refusal is flagged for the customer manager."""

    now = now or timezone.now()
    with transaction.atomic():
        link = outbox.link_redeem(token=token, purpose=LINK_PURPOSE, now=now)
        notice = ChangeNotice.objects.select_for_update().select_related("consent").get(pk=int(link.target_id))
        consent = ConsentRecord.objects.select_for_update().get(pk=notice.consent_id)
        if consent.status != ConsentStatus.PENDING:
            raise InvalidInput(_("This change has already been answered."), code="already_answered")
        consent.status = ConsentStatus.CONFIRMED if agree else ConsentStatus.DECLINED
        consent.channel, consent.responded_at = "link", now
        consent.save(update_fields=["status", "channel", "responded_at"])
        audit_record(actor=None, event_code=PrivacyEvent.CHANGE_ANSWERED, object_type="consent", object_id=consent.pk,
                     customer_id=consent.customer_id, old={"status": "pending"},
                     new={"status": consent.status, "channel": "link"})
        notice.answered_at = now
        if agree:
            notice.outcome = ChangeNotice.Outcome.CONFIRMED
        else:
            notice.outcome = ChangeNotice.Outcome.FLAGGED
            if get_param("privacy.refused_change_action", on=timezone.localdate(now)) == "undo" and notice.old_values:
                old = json.loads(notice.old_values)
                customer = Customer.objects.select_for_update().get(pk=notice.customer_id)
                later = ChangeNotice.objects.filter(customer_id=customer.pk, created_at__gt=notice.created_at)
                touched_later = any(set(n.consent.fields) & set(old) for n in later.select_related("consent"))
                if not touched_later:
                    current = {f: customer_field_value(customer, f) for f in old}
                    customer_update(actor=None, customer_id=customer.pk, changes=old, notify=False,
                                    channel="change_refused")
                    notice.outcome = ChangeNotice.Outcome.UNDONE
                    audit_record(actor=None, event_code=PrivacyEvent.CHANGE_UNDONE, object_type="customer",
                                 object_id=customer.pk, customer_id=customer.pk,
                                 new={"fields": sorted(old), "undone": len(current)})
        notice.save(update_fields=["outcome", "answered_at"])
    return notice
