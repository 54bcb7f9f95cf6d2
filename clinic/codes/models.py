"""One-time codes texted to a phone number, so a person proves they hold it.

Only a keyed hash of the code is stored. A row is written for every request, whether or not a
code is then texted (see `services.request_code`), so the rows themselves cannot tell who is known.
"""

from django.contrib.contenttypes.fields import GenericRelation
from django.db import models
from phonenumber_field.modelfields import PhoneNumberField


class SmsKind(models.TextChoices):
    """The text this app sends (templates/sms/<kind>.txt); registered with clinic.sms."""

    PHONE_CODE = "phone_code", "One-time code"


class PhoneCode(models.Model):
    class Status(models.TextChoices):
        WAITING = "waiting", "Waiting to be issued"
        TEXTED = "texted", "Texted"
        WITHHELD = "withheld", "Not texted (the number may not receive this code)"

    phone = PhoneNumberField()
    purpose = models.CharField(max_length=32)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.WAITING)
    # HMAC-SHA256 of the row's id and the code, keyed by SECRET_KEY: a copy of the table reveals no code.
    code_hash = models.CharField(max_length=64, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    # The text carrying the code goes when the code row is purged.
    sms_messages = GenericRelation("sms.Message", content_type_field="about_type", object_id_field="about_id")

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["phone", "purpose", "-created_at"], name="phone_code_latest")]

    def __str__(self):
        return f"{self.purpose} code for {self.phone} ({self.get_status_display().lower()})"
