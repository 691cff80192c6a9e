"""How a message leaves kehu. E-mail goes through Django's mail backend (SMTP settings from the
environment, see docs/configuration.md); SMS through the class named by ``KEHU_SMS_SENDER``.

An SMS sender is any class with ``send(self, *, to: str, body: str) -> None`` that raises on failure
(the outbox then retries). The default only logs, with the number masked, so a fresh installation
sends nothing by SMS until an operator plugs in the gateway of their provider.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import EmailMessage
from django.utils.module_loading import import_string

from kehu.core.rules import mask_phone

logger = logging.getLogger("kehu.outbox.sms")


class LogSmsSender:
    """Writes the message to the log instead of sending it (the default)."""

    def send(self, *, to: str, body: str) -> None:
        logger.info("SMS to %s: %s", mask_phone(to), body)


def sms_sender():
    return import_string(settings.KEHU_SMS_SENDER)()


def send_email(*, to: str, subject: str, body: str) -> None:
    sent = EmailMessage(subject=subject, body=body, from_email=settings.DEFAULT_FROM_EMAIL, to=[to]).send()
    if sent != 1:
        raise RuntimeError("the mail backend accepted no message")


def send_sms(*, to: str, body: str) -> None:
    sms_sender().send(to=to, body=body)
