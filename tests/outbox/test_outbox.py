"""The outbox: messages commit with the caller's transaction, are sent after it with retries and a
status per message; links are single-use, signed and expire."""

from datetime import timedelta

import pytest
from django.core import mail
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from kehu.core.errors import InvalidInput
from kehu.core.models import AuditEvent
from kehu.outbox import services
from kehu.outbox.errors import LinkExpired, LinkInvalid, LinkUsed
from kehu.outbox.models import Message, MessageStatus, SignedLink

SENT_SMS: list[tuple[str, str]] = []


class RecordingSender:
    def send(self, *, to, body):
        SENT_SMS.append((to, body))


class BrokenSender:
    def send(self, *, to, body):
        raise ConnectionError("gateway down")


@pytest.fixture(autouse=True)
def _clear():
    SENT_SMS.clear()


def test_email_is_sent_after_commit_not_before(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        message = services.message_enqueue(channel="email", to="wang@example.cn", subject="调查",
                                           body="请评价", purpose="survey", related_type="x", related_id=1)
        assert len(mail.outbox) == 0  # nothing leaves before the commit
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT and message.attempts == 1 and message.sent_at
    assert [m.to for m in mail.outbox] == [["wang@example.cn"]]
    assert mail.outbox[0].subject == "调查"
    queued = AuditEvent.objects.get(object_type="outbox.message", event_code=7501)
    assert queued.new_values["to"] == "w***@example.cn"  # the audit log holds the address masked


def test_rolled_back_caller_leaves_no_message(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError):
            with transaction.atomic():
                services.message_enqueue(channel="sms", to="13800138000", body="x", purpose="t")
                raise RuntimeError("caller failed")
    assert Message.objects.count() == 0
    assert mail.outbox == []


def test_recipient_is_encrypted_at_rest(db):
    from django.db import connection

    services.message_enqueue(channel="sms", to="138 0013 8000", body="x", purpose="t")
    with connection.cursor() as cursor:
        cursor.execute("SELECT recipient FROM outbox_message")
        stored = cursor.fetchone()[0]
    assert "13800138000" not in stored and stored.startswith("v1:")
    assert Message.objects.get().recipient == "13800138000"


@pytest.mark.parametrize("channel,to,code", [("email", "not-an-address", "invalid_email"),
                                             ("sms", "call me", "invalid_phone"),
                                             ("fax", "123456", "invalid_input")])
def test_bad_recipient_refused(db, channel, to, code):
    with pytest.raises(InvalidInput) as err:
        services.message_enqueue(channel=channel, to=to, body="x", purpose="t")
    assert err.value.code == code
    assert Message.objects.count() == 0


@override_settings(KEHU_SMS_SENDER=f"{__name__}.RecordingSender", KEHU_OUTBOX_SEND_ON_COMMIT=False)
def test_sms_goes_through_the_configured_sender_by_the_dispatch_job(db):
    now = timezone.now()
    message = services.message_enqueue(channel="sms", to="13800138000", body="您好", purpose="t", now=now)
    assert SENT_SMS == []
    assert services.outbox_dispatch(now=now) == {"sent": 1, "retry": 0, "failed": 0}
    assert SENT_SMS == [("13800138000", "您好")]
    assert services.outbox_dispatch(now=now) == {"sent": 0, "retry": 0, "failed": 0}  # sent once only
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT


@override_settings(KEHU_SMS_SENDER=f"{__name__}.BrokenSender", KEHU_OUTBOX_SEND_ON_COMMIT=False)
def test_failures_are_retried_with_growing_waits_then_marked_failed(db):
    now = timezone.now()
    message = services.message_enqueue(channel="sms", to="13800138000", body="x", purpose="t", now=now)
    waits = []
    at = now
    for _ in range(4):  # max_attempts 5: four retries
        assert services.outbox_dispatch(now=at) == {"sent": 0, "retry": 1, "failed": 0}
        message.refresh_from_db()
        assert message.status == MessageStatus.PENDING and "gateway down" in message.last_error
        waits.append(message.next_attempt_at - at)
        assert services.outbox_dispatch(now=at + waits[-1] - timedelta(seconds=1))["retry"] == 0  # not due yet
        at = message.next_attempt_at
    assert waits == [timedelta(minutes=5), timedelta(minutes=10), timedelta(minutes=20), timedelta(minutes=40)]
    assert services.outbox_dispatch(now=at) == {"sent": 0, "retry": 0, "failed": 1}
    message.refresh_from_db()
    assert message.status == MessageStatus.FAILED and message.attempts == 5
    assert services.outbox_dispatch(now=at + timedelta(days=1))["failed"] == 0  # given up for good


@override_settings(KEHU_SMS_SENDER=f"{__name__}.RecordingSender", KEHU_OUTBOX_SEND_ON_COMMIT=False)
def test_message_left_sending_by_a_dead_process_is_taken_over(db):
    now = timezone.now()
    message = services.message_enqueue(channel="sms", to="13800138000", body="x", purpose="t", now=now)
    Message.objects.filter(pk=message.pk).update(status=MessageStatus.SENDING, claimed_at=now, attempts=1)
    assert services.outbox_dispatch(now=now + timedelta(minutes=10))["sent"] == 0  # still someone's
    assert services.outbox_dispatch(now=now + timedelta(minutes=31))["sent"] == 1
    assert len(SENT_SMS) == 1


def test_link_redeemed_once_only(db):
    now = timezone.now()
    link, token = services.link_issue(purpose="survey", target_type="survey.invitation", target_id=7,
                                      expires_at=now + timedelta(days=7), now=now)
    assert services.link_peek(token=token, purpose="survey", now=now).pk == link.pk  # peeking does not use it
    used = services.link_redeem(token=token, purpose="survey", now=now + timedelta(hours=1))
    assert used.pk == link.pk and used.target_id == "7"
    with pytest.raises(LinkUsed):
        services.link_redeem(token=token, purpose="survey", now=now + timedelta(hours=2))
    with pytest.raises(LinkUsed):
        services.link_peek(token=token, purpose="survey", now=now + timedelta(hours=2))
    assert SignedLink.objects.get().used_at == now + timedelta(hours=1)
    assert token not in str(list(SignedLink.objects.values()))  # only the nonce's hash is stored


def test_link_expires(db):
    now = timezone.now()
    _, token = services.link_issue(purpose="survey", target_type="t", target_id=1,
                                   expires_at=now + timedelta(days=7), now=now)
    with pytest.raises(LinkExpired):
        services.link_redeem(token=token, purpose="survey", now=now + timedelta(days=7))
    assert SignedLink.objects.get().used_at is None


def test_link_tampered_or_for_another_purpose_is_invalid(db):
    now = timezone.now()
    _, token = services.link_issue(purpose="survey", target_type="t", target_id=1,
                                   expires_at=now + timedelta(days=7), now=now)
    with pytest.raises(LinkInvalid):
        services.link_redeem(token=token, purpose="consent", now=now)
    with pytest.raises(LinkInvalid):
        services.link_redeem(token=token[:-2] + ("AA" if not token.endswith("AA") else "BB"), purpose="survey",
                             now=now)
    with pytest.raises(LinkInvalid):
        services.link_redeem(token="garbage", purpose="survey", now=now)
    with pytest.raises(InvalidInput):
        services.link_issue(purpose="survey", target_type="t", target_id=1, expires_at=now, now=now)


def test_link_redeemed_by_two_threads_at_once_only_one_wins(tworld):
    from tests.concurrency import run_together

    now = timezone.now()
    _, token = services.link_issue(purpose="survey", target_type="t", target_id=1,
                                   expires_at=now + timedelta(days=7), now=now)

    def redeem():
        return services.link_redeem(token=token, purpose="survey", now=now).pk

    results = run_together([redeem, redeem])
    assert sorted(kind for kind, _ in results) == ["error", "ok"]
    assert [type(v) for kind, v in results if kind == "error"] == [LinkUsed]
