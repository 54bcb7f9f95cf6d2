"""Consent records: what a person agreed to, in which exact wording, when, and for what.

Every consent tick on the public site is stored as a `ConsentRecord` (written by
`bookings.services.record_consents`): the health-answers consent with the answer set, the privacy
notice and cancellation policy ticks with the booking, the callback form's tick with the callback
request. `about` is generic (like `sms.Message.about`) so callbacks can use it without bookings
knowing callbacks.

How versions work: each purpose has one current wording in `WORDINGS`, with a version string. The
form shows `WORDINGS[purpose].text` as the tick's label and the record stores that text and its
version, so what was agreed to is never in doubt. Changing a wording means giving it a new version
(`tests/bookings/test_consents.py` fails until you do). `wording_version` is a plain string so a
later change can point the privacy-notice purpose at the privacy notice's own version.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone


class Purpose(models.TextChoices):
    HEALTH_ANSWERS = "health_answers", "Use of health answers for care"
    PRIVACY_NOTICE = "privacy_notice", "Read the privacy notice"
    CANCELLATION_POLICY = "cancellation_policy", "Agreed to the cancellation policy"
    CALLBACK_CONTACT = "callback_contact", "Keep details to call back"


@dataclass(frozen=True)
class Wording:
    version: str
    text: str


WORDINGS: dict[str, Wording] = {
    Purpose.HEALTH_ANSWERS: Wording(
        "health-1",
        "I agree to the clinic keeping my answers to these health questions and using them to plan my treatment "
        "safely. Only the therapists treating me will see them.",
    ),
    Purpose.PRIVACY_NOTICE: Wording("privacy-1", "I have read the privacy notice"),
    Purpose.CANCELLATION_POLICY: Wording("cancellation-1", "I agree to the cancellation policy"),
    Purpose.CALLBACK_CONTACT: Wording("callback-1", "I agree that the clinic may keep these details to call me back."),
}


def wording(purpose: str) -> str:
    """The text a form shows for `purpose` (the label of its tick box)."""
    return WORDINGS[purpose].text


class ConsentRecordQuerySet(models.QuerySet):
    def about(self, obj):
        """The consents given for `obj` (an answer set, an appointment, a callback request)."""
        return self.filter(about_type=ContentType.objects.get_for_model(obj), about_id=obj.pk)


class ConsentRecord(models.Model):
    """One tick: purpose, the wording and its version, when, and what it was given for."""

    purpose = models.CharField(max_length=24, choices=Purpose.choices)
    wording_version = models.CharField(
        max_length=40, help_text="Version of the wording shown (see bookings/consents.py)."
    )
    wording = models.TextField(help_text="The exact words the person agreed to.")
    # The privacy notice is written from the settings, so it has versions of its own: the one in
    # force when the tick was given (clinic.core.privacy_notice.current_version()).
    privacy_notice_version = models.CharField(max_length=20, blank=True)
    given_at = models.DateTimeField(default=timezone.now)
    patient = models.ForeignKey(
        "bookings.Patient", null=True, blank=True, on_delete=models.CASCADE, related_name="consents"
    )
    # What the consent was given for: an answer set, an appointment or a callback request.
    about_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    about_id = models.PositiveBigIntegerField(null=True, blank=True)
    about = GenericForeignKey("about_type", "about_id")

    objects = ConsentRecordQuerySet.as_manager()

    class Meta:
        ordering = ["given_at", "pk"]
        indexes = [models.Index(fields=["about_type", "about_id"])]

    def __str__(self):
        given = timezone.localtime(self.given_at)
        return f"{self.get_purpose_display()} ({self.wording_version}) at {given:%d %b %Y %H:%M}"
