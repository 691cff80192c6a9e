"""The message outbox and single-use signed links.

A ``Message`` is written in the caller's transaction (so it exists exactly when the change that caused
it commits) and delivered afterwards, on commit or by the ``outbox.dispatch`` job, with retries.
A ``SignedLink`` is a single-use, expiring permission to act on one object without logging in (a
survey answer page, a consent notice); the token handed out is signed, and only its hash is stored.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from kehu.core.fields import EncryptedTextField


class MessageChannel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    SMS = "sms", _("SMS")


class MessageStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class Message(models.Model):
    channel = models.CharField(_("channel"), max_length=8, choices=MessageChannel.choices)
    # the address is personal data (domain spec 10.2): encrypted at rest, shown masked
    recipient = EncryptedTextField(_("recipient"))
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    body = models.TextField(_("text"))
    purpose = models.CharField(_("purpose"), max_length=64, db_index=True)
    related_type = models.CharField(_("related object type"), max_length=64, blank=True)
    related_id = models.CharField(_("related object id"), max_length=64, blank=True)
    status = models.CharField(_("status"), max_length=8, choices=MessageStatus.choices,
                              default=MessageStatus.PENDING)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"))
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created at"))
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("outgoing message")
        verbose_name_plural = _("outgoing messages")
        indexes = [models.Index(fields=["status", "next_attempt_at"]),
                   models.Index(fields=["related_type", "related_id"])]

    def __str__(self):
        return f"{self.channel} #{self.pk} {self.status}"


class SignedLink(models.Model):
    purpose = models.CharField(_("purpose"), max_length=64)
    target_type = models.CharField(_("target type"), max_length=64)
    target_id = models.CharField(_("target id"), max_length=64)
    # SHA-256 of the random part of the token: the token itself is never stored
    nonce_hash = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField(_("expires at"))
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        verbose_name = _("answer link")
        verbose_name_plural = _("answer links")
        indexes = [models.Index(fields=["target_type", "target_id"])]

    def __str__(self):
        return f"{self.purpose} {self.target_type}:{self.target_id}"
