"""The email outbox: every email is a row first, written in the transaction of the event that
causes it, and sent after commit by a Celery task through Django's email backend (docs/email.md)."""

from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils import timezone


class EmailQuerySet(models.QuerySet):
    def needs_attention(self):
        """Emails staff should look at: failed, or with an unknown outcome."""
        return self.filter(status__in=Email.Status.needs_attention())

    def relayable(self, now=None):
        """Due queued emails that no send task is expected to handle (no lease, or it ran out)."""
        now = now or timezone.now()
        return self.filter(status=Email.Status.QUEUED, due_at__lte=now).filter(
            Q(lease_until__isnull=True) | Q(lease_until__lte=now)
        )

    def about(self, obj):
        """The emails about `obj` (an appointment, ...)."""
        return self.filter(about_type=ContentType.objects.get_for_model(obj), about_id=obj.pk)


class Email(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        # The worker stopped mid-send, or the connection dropped after the message may have been
        # handed over: never sent again automatically (a second copy is worse than staff checking).
        UNKNOWN = "unknown", "Unknown (may have been sent)"

        @classmethod
        def needs_attention(cls):
            return [cls.FAILED, cls.UNKNOWN]

    # The template's name (templates/email/<kind>.txt, .html, _subject.txt).
    kind = models.CharField(max_length=32)
    to = models.EmailField("recipient", blank=True)
    subject = models.CharField(max_length=200)
    text_body = models.TextField("text")
    html_body = models.TextField("HTML", blank=True)
    # Text attachments (an .ics invitation): [{"name", "content_type", "content"}, ...].
    attachments = models.JSONField(default=list, blank=True)
    # What the email is about, named generically (as sms.Message does) so this app knows no domain
    # model; the domain models declare a GenericRelation back, so deleting one deletes its emails.
    about_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    about_id = models.PositiveBigIntegerField(null=True, blank=True)
    about = GenericForeignKey("about_type", "about_id")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED, db_index=True)
    due_at = models.DateTimeField("due", default=timezone.now)
    attempts = models.PositiveSmallIntegerField(default=0)
    error_message = models.TextField("last error", blank=True)
    # A send task is expected to handle the row before this instant (set when one is queued, and
    # while one is sending); the relay leaves the row alone until then. A row still `sending`
    # after its lease belongs to a worker that died mid-send: the relay marks it unknown.
    lease_until = models.DateTimeField(null=True, blank=True, editable=False)
    # The Message-ID header of the last attempt: the same on every attempt of one row, so a mail
    # server or a patient can tell a copy from a second email.
    message_id = models.CharField("Message-ID", max_length=200, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    attempted_at = models.DateTimeField("last attempt", null=True, blank=True, editable=False)
    sent_at = models.DateTimeField(null=True, blank=True)
    # Retention removes the wording (erasure the address too) and keeps the row; clinic/mail/personal_data.py.
    redacted_at = models.DateTimeField("wording removed at", null=True, blank=True, editable=False)

    objects = EmailQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "email"
        indexes = [
            # The relay's query: queued rows by due time.
            models.Index(fields=["due_at"], condition=Q(status="queued"), name="mail_email_queued_due"),
            models.Index(fields=["about_type", "about_id"], name="mail_email_about"),
        ]

    def __str__(self):
        return f"{self.kind_label} to {self.to or '(removed)'} ({self.get_status_display().lower()})"

    @property
    def kind_label(self) -> str:
        return self.kind.replace("_", " ").capitalize()
