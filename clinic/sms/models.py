"""The SMS outbox: every text is a row first (design rule 4), sent after commit by a Celery task."""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from phonenumber_field.modelfields import PhoneNumberField


def new_callback_token() -> str:
    """An unguessable id for the Twilio status URL, so the URL reveals nothing and cannot be enumerated."""
    return secrets.token_urlsafe(24)


class MessageQuerySet(models.QuerySet):
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

    def for_appointment(self, appointment):
        return self.filter(appointment=appointment)


class Message(models.Model):
    class Kind(models.TextChoices):
        BOOKING_CONFIRMATION = "booking_confirmation", "Booking confirmation"
        REMINDER = "reminder", "Reminder"
        CANCELLATION = "cancellation", "Cancellation"
        TIME_CHANGE = "time_change", "Time change"
        CALLBACK_ACK = "callback_ack", "Callback request received"
        CALLBACK_NOTICE = "callback_notice", "Callback notice to reception"

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

    kind = models.CharField(max_length=24, choices=Kind.choices)
    to = PhoneNumberField("recipient")
    body = models.TextField()
    appointment = models.ForeignKey(
        "bookings.Appointment", null=True, blank=True, on_delete=models.SET_NULL, related_name="sms_messages"
    )
    # The retention policy deletes closed callback requests; the texts about them hold the same
    # personal data, so they go too.
    callback_request = models.ForeignKey(
        "callbacks.CallbackRequest", null=True, blank=True, on_delete=models.CASCADE, related_name="sms_messages"
    )
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING, db_index=True)
    due_at = models.DateTimeField("due", default=timezone.now, db_index=True)
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
    resent_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="resends", verbose_name="resend of"
    )
    resent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = MessageQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "SMS message"
        verbose_name_plural = "SMS messages"
        indexes = [
            # The relay's hot query: pending rows by due time.
            models.Index(fields=["due_at"], condition=Q(status="pending"), name="sms_message_pending_due"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} to {self.to} ({self.get_status_display().lower()})"
