"""The outbox's service API, used by any app that writes to people outside kehu.

- ``message_enqueue``: queue an e-mail or SMS in the caller's transaction; it is delivered after the
  commit (``KEHU_OUTBOX_SEND_ON_COMMIT``) and, failing that, by ``outbox_dispatch`` with retries.
- ``link_issue`` / ``link_peek`` / ``link_redeem``: single-use signed links that expire, for pages a
  customer opens without logging in. The token carries the link's id and a random nonce, signed with
  Django's signing (the secret key, salted with the purpose); only the nonce's hash is stored.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from kehu.core.audit import audit_record
from kehu.core.errors import InvalidInput
from kehu.core.inputs import choice, text
from kehu.core.params import get_param
from kehu.core.rules import mask_email, mask_phone

from . import rules, senders
from .errors import LinkExpired, LinkInvalid, LinkUsed
from .events import OutboxEvent as E
from .models import Message, MessageChannel, MessageStatus, SignedLink

_PHONE = re.compile(r"^\+?[0-9]{6,20}$")
_SALT = "kehu.outbox.link"


def _masked(channel: str, to: str) -> str:
    return mask_email(to) if channel == MessageChannel.EMAIL else mask_phone(to)


def public_url(path: str) -> str:
    """An absolute address for a page outside the login (``KEHU_PUBLIC_BASE_URL`` + ``path``)."""
    return settings.KEHU_PUBLIC_BASE_URL.rstrip("/") + path


# ------------------------------------------------------------------------------------------ messages

@transaction.atomic
def message_enqueue(*, channel: str, to: str, subject: str = "", body: str, purpose: str,
                    related_type: str = "", related_id: object = "", actor=None,
                    now: datetime | None = None) -> Message:
    """Queue one message. It commits or rolls back with the caller's transaction."""
    now = now or timezone.now()
    channel = choice(channel, "channel", list(MessageChannel.values))
    to = text(to, "to", max_length=254, required=True)
    if channel == MessageChannel.EMAIL:
        try:
            validate_email(to)
        except ValidationError:
            raise InvalidInput(field="to", code="invalid_email") from None
    elif not _PHONE.match(to.replace(" ", "").replace("-", "")):
        raise InvalidInput(field="to", code="invalid_phone")
    else:
        to = to.replace(" ", "").replace("-", "")
    message = Message.objects.create(
        channel=channel, recipient=to, subject=text(subject, "subject", max_length=200),
        body=text(body, "body", max_length=5000, required=True), purpose=text(purpose, "purpose", max_length=64,
                                                                             required=True),
        related_type=str(related_type or "")[:64], related_id=str(related_id or "")[:64],
        next_attempt_at=now, created_at=now)
    audit_record(actor=actor, event_code=E.MESSAGE_QUEUED, object_type="outbox.message", object_id=message.pk,
                 new={"channel": channel, "to": _masked(channel, to), "purpose": message.purpose,
                      "related": f"{message.related_type}:{message.related_id}"})
    if settings.KEHU_OUTBOX_SEND_ON_COMMIT:
        pk = message.pk
        transaction.on_commit(lambda: outbox_dispatch(ids=[pk], ignore_schedule=True))
    return message


def _claim(pk: int, now: datetime, *, ignore_schedule: bool) -> Message | None:
    """Mark one message as being sent by this process (a short transaction of its own)."""
    stale = now - timedelta(minutes=int(get_param("outbox.sending_stale_minutes", on=now.date())))
    due = Q(status=MessageStatus.PENDING) if ignore_schedule else Q(status=MessageStatus.PENDING,
                                                                     next_attempt_at__lte=now)
    with transaction.atomic():
        message = Message.objects.select_for_update().filter(
            Q(pk=pk) & (due | Q(status=MessageStatus.SENDING, claimed_at__lt=stale))).first()
        if message is None:
            return None
        message.status, message.claimed_at, message.attempts = MessageStatus.SENDING, now, message.attempts + 1
        message.save(update_fields=["status", "claimed_at", "attempts"])
        return message


def _deliver(message: Message) -> None:
    if message.channel == MessageChannel.EMAIL:
        senders.send_email(to=message.recipient, subject=message.subject, body=message.body)
    else:
        senders.send_sms(to=message.recipient, body=message.body)


def _record(message: Message, now: datetime, error: Exception | None) -> str:
    with transaction.atomic():
        row = Message.objects.select_for_update().get(pk=message.pk)
        if error is None:
            row.status, row.sent_at, row.last_error = MessageStatus.SENT, now, ""
            row.save(update_fields=["status", "sent_at", "last_error"])
            audit_record(actor=None, event_code=E.MESSAGE_SENT, object_type="outbox.message", object_id=row.pk,
                         new={"attempts": row.attempts})
            return "sent"
        row.last_error = f"{type(error).__name__}: {error}"[:2000]
        retry = rules.next_attempt(failed_at=now, attempts=row.attempts,
                                   max_attempts=int(get_param("outbox.max_attempts", on=now.date())),
                                   base_minutes=int(get_param("outbox.retry_base_minutes", on=now.date())))
        if retry is None:
            row.status = MessageStatus.FAILED
            row.save(update_fields=["status", "last_error"])
            audit_record(actor=None, event_code=E.MESSAGE_FAILED, object_type="outbox.message", object_id=row.pk,
                         new={"attempts": row.attempts, "error": row.last_error[:300]})
            return "failed"
        row.status, row.next_attempt_at, row.claimed_at = MessageStatus.PENDING, retry, None
        row.save(update_fields=["status", "next_attempt_at", "claimed_at", "last_error"])
        return "retry"


def outbox_dispatch(*, now: datetime | None = None, ids: list[int] | None = None, limit: int = 1000,
                    ignore_schedule: bool = False) -> dict:
    """Send the messages that are due (or the given ones); returns counts of sent, retry, failed.

    Each message is claimed, sent outside any transaction (a slow mail server holds no lock) and its
    outcome recorded; a message claimed by a process that then died is taken over when stale."""
    now = now or timezone.now()
    counts = {"sent": 0, "retry": 0, "failed": 0}
    candidates = Message.objects.filter(status__in=[MessageStatus.PENDING, MessageStatus.SENDING])
    if ids is not None:
        candidates = candidates.filter(pk__in=ids)
    elif not ignore_schedule:
        candidates = candidates.filter(Q(status=MessageStatus.SENDING) | Q(next_attempt_at__lte=now))
    for pk in list(candidates.order_by("next_attempt_at", "pk").values_list("pk", flat=True)[:limit]):
        message = _claim(pk, now, ignore_schedule=ignore_schedule)
        if message is None:
            continue
        try:
            _deliver(message)
        except Exception as exc:  # any failure of a backend or gateway: recorded, retried later
            counts[_record(message, now, exc)] += 1
        else:
            counts[_record(message, now, None)] += 1
    return counts


# --------------------------------------------------------------------------------------------- links

def _nonce_hash(nonce: str) -> str:
    return hashlib.sha256(nonce.encode()).hexdigest()


@transaction.atomic
def link_issue(*, purpose: str, target_type: str, target_id: object, expires_at: datetime, actor=None,
               now: datetime | None = None) -> tuple[SignedLink, str]:
    """A new single-use link; returns the row and the token to put into the address (shown once)."""
    now = now or timezone.now()
    if expires_at <= now:
        raise InvalidInput(field="expires_at", code="in_the_past")
    nonce = secrets.token_urlsafe(24)
    link = SignedLink.objects.create(purpose=purpose, target_type=target_type, target_id=str(target_id),
                                     nonce_hash=_nonce_hash(nonce), expires_at=expires_at, created_at=now)
    token = signing.dumps({"l": link.pk, "n": nonce}, salt=f"{_SALT}:{purpose}")
    audit_record(actor=actor, event_code=E.LINK_ISSUED, object_type="outbox.link", object_id=link.pk,
                 new={"purpose": purpose, "target": f"{target_type}:{target_id}",
                      "expires_at": expires_at.isoformat()})
    return link, token


def _find(token: str, purpose: str, *, lock: bool) -> SignedLink:
    try:
        data = signing.loads(str(token), salt=f"{_SALT}:{purpose}")
        pk, nonce = int(data["l"]), str(data["n"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise LinkInvalid() from None
    qs = SignedLink.objects.select_for_update() if lock else SignedLink.objects
    link = qs.filter(pk=pk, purpose=purpose).first()
    if link is None or not secrets.compare_digest(link.nonce_hash, _nonce_hash(nonce)):
        raise LinkInvalid()
    return link


def _check(link: SignedLink, now: datetime) -> None:
    if link.used_at is not None:
        raise LinkUsed()
    if now >= link.expires_at:
        raise LinkExpired()


def link_peek(*, token: str, purpose: str, now: datetime | None = None) -> SignedLink:
    """The link behind ``token`` if it may still be used (for showing the page); does not use it."""
    link = _find(token, purpose, lock=False)
    _check(link, now or timezone.now())
    return link


@transaction.atomic
def link_redeem(*, token: str, purpose: str, now: datetime | None = None) -> SignedLink:
    """Use the link: once only, before it expires. Call it inside the transaction that does what the
    link allows, so a refused action leaves the link unused."""
    now = now or timezone.now()
    link = _find(token, purpose, lock=True)
    _check(link, now)
    link.used_at = now
    link.save(update_fields=["used_at"])
    audit_record(actor=None, event_code=E.LINK_REDEEMED, object_type="outbox.link", object_id=link.pk,
                 new={"purpose": purpose, "target": f"{link.target_type}:{link.target_id}"})
    return link
