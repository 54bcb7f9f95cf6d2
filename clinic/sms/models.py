"""The SMS outbox: every text is a row first (design rule 4), sent after commit by a Celery task."""

import secrets

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils import timezone
from phonenumber_field.modelfields import PhoneNumberField

from clinic.core.versioned import VersionedModel, VersionedQuerySet

from . import kinds
from .quiet_hours import in_quiet_hours

# The version every write to a text bumps (its status, above all): pages that show how texts
# fared are cached under it (the reception diary's badges).
TEXTS = "sms:texts"


def new_callback_token() -> str:
    """An unguessable id for the Twilio status URL, so the URL reveals nothing and cannot be enumerated."""
    return secrets.token_urlsafe(24)


class MessageQuerySet(VersionedQuerySet):
    def needs_attention(self):
        """Messages staff should look at: failed, not delivered, or with an unknown outcome."""
        return self.filter(status__in=Message.Status.needs_attention())

    def pending_due(self, now=None):
        """Pending messages whose due time has come."""
        return self.filter(status=Message.Status.PENDING, due_at__lte=now or timezone.now())

    def relayable(self, now=None):
        """Due pending messages that no send task is expected to handle (no lease, or its lease ran out)."""
        now = now or timezone.now()
        return self.pending_due(now).filter(Q(lease_until__isnull=True) | Q(lease_until__lte=now))

    def allowed_at(self, when):
        """The messages that may go at `when`: all of them, or in quiet hours only the any-hour ones."""
        return self.filter(any_hour=True) if in_quiet_hours(when) else self

    def about(self, obj):
        """The messages about `obj` (an appointment, a callback request, ...)."""
        return self.filter(about_type=ContentType.objects.get_for_model(obj), about_id=obj.pk)


class Message(VersionedModel):
    bumps_versions = (TEXTS,)

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        DELIVERED = "delivered", "Delivered"
        FAILED = "failed", "Failed"
        UNDELIVERED = "undelivered", "Undelivered"
        UNKNOWN = "unknown", "Unknown (may have been sent)"
        CANCELLED = "cancelled", "Cancelled"

        @classmethod
        def needs_attention(cls):
            return [cls.FAILED, cls.UNDELIVERED, cls.UNKNOWN]

    # The template's name; the apps that send texts register their kinds' labels (`kinds`).
    kind = models.CharField(max_length=32)
    to = PhoneNumberField("recipient")
    body = models.TextField()
    # What the text is about (an appointment, a callback request, ...), named generically so the
    # SMS subsystem depends on no domain app. The domain models declare a GenericRelation back, so
    # deleting one of them (retention, erasure) deletes the texts about it, which hold the same
    # personal data.
    about_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    about_id = models.PositiveBigIntegerField(null=True, blank=True)
    about = GenericForeignKey("about_type", "about_id")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING, db_index=True)
    due_at = models.DateTimeField("due", default=timezone.now, db_index=True)
    # A text the recipient has just asked for (a one-time code) goes at once, even in quiet hours:
    # held until 08:00 it would be useless, and it wakes no one who did not ask for it.
    any_hour = models.BooleanField("sent at any hour", default=False, editable=False)
    attempts = models.PositiveSmallIntegerField(default=0)
    provider_id = models.CharField("provider message id", max_length=64, blank=True, db_index=True)
    error_code = models.CharField(max_length=16, blank=True)
    error_message = models.TextField(blank=True)
    callback_token = models.CharField(max_length=64, unique=True, default=new_callback_token, editable=False)
    # A send task is expected to handle the row before this instant (set when one is enqueued, and
    # while one is sending); the relay leaves the row alone until then, so two relays, or a relay
    # and an on-commit send, do not queue the same row over and over.
    lease_until = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    # Retention removes the wording (and erasure the number) but keeps the row, so delivery
    # figures stay true; see clinic/sms/personal_data.py.
    redacted_at = models.DateTimeField("text removed at", null=True, blank=True, editable=False)
    # When the latest send was claimed: the moment around which Twilio's log is searched if the
    # outcome is unknown (clinic/sms/reconcile.py).
    attempted_at = models.DateTimeField("last attempt", null=True, blank=True, editable=False)
    # Set once an unknown outcome has been settled against Twilio's log (found, or sent again),
    # so a text is never sent again automatically more than once.
    reconciled_at = models.DateTimeField(null=True, blank=True, editable=False)
    resent_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="resends", verbose_name="resend of"
    )
    resent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # An answer to a text the patient has just sent us: it goes at once, even in quiet hours.
    in_reply_to = models.ForeignKey(
        "IncomingText", null=True, blank=True, on_delete=models.SET_NULL, related_name="replies", editable=False
    )

    objects = MessageQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "SMS message"
        verbose_name_plural = "SMS messages"
        indexes = [
            # The relay's hot query: pending rows by due time.
            models.Index(fields=["due_at"], condition=Q(status="pending"), name="sms_message_pending_due"),
            models.Index(fields=["about_type", "about_id"], name="sms_message_about"),
        ]

    def __str__(self):
        return f"{self.kind_label} to {self.to} ({self.get_status_display().lower()})"

    @property
    def kind_label(self) -> str:
        return kinds.label(self.kind)


class IncomingText(models.Model):
    """A text a patient sent us (Twilio's incoming-message webhook), and what the system did with it.

    Stored once per Twilio MessageSid, so a webhook Twilio retries is answered without acting twice.
    The sender is matched to whoever the number belongs to (a patient) by the lookup an app
    registers (`inbound.register_contact_lookup`); kept generically, as `Message.about` is.
    """

    message_sid = models.CharField("Twilio message id", max_length=64, unique=True)
    sender = PhoneNumberField("from")
    to = models.CharField("to our number", max_length=32, blank=True)
    body = models.TextField(blank=True)
    received_at = models.DateTimeField(default=timezone.now, db_index=True)
    # STOP / START / HELP when the provider treated the text as that keyword and answered it itself.
    provider_keyword = models.CharField(max_length=8, blank=True)
    action = models.CharField("what it did", max_length=80, blank=True)
    detail = models.TextField(blank=True)
    contact_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name="matched to"
    )
    contact_id = models.PositiveBigIntegerField(null=True, blank=True)
    contact = GenericForeignKey("contact_type", "contact_id")
    about_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    about_id = models.PositiveBigIntegerField(null=True, blank=True)
    about = GenericForeignKey("about_type", "about_id")

    class Meta:
        ordering = ["-received_at", "-pk"]
        verbose_name = "incoming text"
        indexes = [models.Index(fields=["contact_type", "contact_id"], name="sms_incoming_contact")]

    def __str__(self):
        return f"Text from {self.sender} at {timezone.localtime(self.received_at):%d %b %H:%M}"


class TextConsentQuerySet(models.QuerySet):
    def latest_for(self, number):
        return self.filter(phone=number).order_by("-at", "-pk").first()

    def opted_out(self, number) -> bool:
        """Whether `number` has opted out of optional texts (its latest record says so)."""
        latest = self.latest_for(number)
        return bool(latest and latest.opted_out)


class TextConsent(models.Model):
    """One change of a number's consent to optional texts (reminders, wait-list offers): the
    record of who opted out or back in, when and how. The current state is the latest row."""

    phone = PhoneNumberField(db_index=True)
    opted_out = models.BooleanField()
    at = models.DateTimeField(default=timezone.now)
    how = models.CharField(max_length=120)
    incoming = models.ForeignKey(IncomingText, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    objects = TextConsentQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = "text consent change"

    def __str__(self):
        change = "opted out" if self.opted_out else "opted in"
        return f"{self.phone} {change} at {timezone.localtime(self.at):%d %b %Y %H:%M}"
