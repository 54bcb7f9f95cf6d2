from datetime import time

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from phonenumber_field.modelfields import PhoneNumberField

from .versioned import VersionedModel
from .versions import CLINIC, SETUP, cached


class Weekday(models.IntegerChoices):
    """Python's numbering (Monday is 0), as `date.weekday()` returns it."""

    MONDAY = 0, "Monday"
    TUESDAY = 1, "Tuesday"
    WEDNESDAY = 2, "Wednesday"
    THURSDAY = 3, "Thursday"
    FRIDAY = 4, "Friday"
    SATURDAY = 5, "Saturday"
    SUNDAY = 6, "Sunday"


class ClinicSettings(VersionedModel):
    """The clinic's own details and booking policy: one row, edited by the manager in admin."""

    # Its own version (read on every page) and the set-up's (the booking policy is an input of
    # availability): editing a therapist does not make every page read the settings again.
    bumps_versions = (CLINIC, SETUP)

    name = models.CharField(max_length=100, default="Example Physio & Massage (demo)")
    phone = PhoneNumberField(default="+441632960000", help_text="Shown on every page as a tap-to-call link.")
    email = models.EmailField(blank=True)
    address = models.TextField(default="1 Example Street\nSampletown\nAB1 2CD")
    reception_mobile = PhoneNumberField(
        blank=True, help_text="Mobile that receives a text for each new callback request."
    )
    reception_email = models.EmailField(blank=True, help_text="Address that receives callback notices.")
    min_notice_minutes = models.PositiveIntegerField(
        default=120, help_text="Patients cannot book online closer to the start than this."
    )
    horizon_days = models.PositiveIntegerField(
        default=56,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
        help_text="How far ahead patients can book online.",
    )
    slot_step_minutes = models.PositiveIntegerField(
        default=15,
        validators=[MinValueValidator(5), MaxValueValidator(60)],
        help_text="Start times offered online are on this grid.",
    )
    cancellation_notice_hours = models.PositiveIntegerField(
        default=24, help_text="Patients can cancel or move online until this long before the start."
    )
    change_grace_minutes = models.PositiveIntegerField(
        "grace period (minutes)",
        default=10,
        validators=[MaxValueValidator(24 * 60)],
        help_text="Just after booking, patients can cancel or change online for this long, however close "
        "the appointment is (0 for no grace period).",
    )
    reminder_hours_before = models.PositiveIntegerField(default=24)
    # For the privacy notice (generated from these, see clinic/core/privacy_notice.py).
    privacy_contact = models.EmailField(
        "data protection contact",
        blank=True,
        help_text="Where patients send requests about their data; the clinic's email if empty.",
    )
    ico_registration = models.CharField(
        "ICO registration number", max_length=20, blank=True, help_text="From the ICO's register of fee payers."
    )
    hosting_provider = models.CharField(
        max_length=200, blank=True, help_text="Who hosts the booking system and its database, and where (country)."
    )
    email_provider = models.CharField(
        max_length=200, blank=True, help_text="Who sends the clinic's email, and where (country)."
    )

    class Meta:
        verbose_name = "clinic settings"
        verbose_name_plural = "clinic settings"
        constraints = [models.CheckConstraint(condition=Q(pk=1), name="clinic_settings_single_row")]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.pk = 1
        super().save(*args, **kwargs)

    @classmethod
    def load(cls) -> "ClinicSettings":
        """The settings, from the shared cache while nobody has edited them (read on most pages).
        Treat the result as read-only: within a request every caller gets the same object."""
        return cached("clinic-settings", depends_on=[CLINIC], compute=cls.load_fresh)

    @classmethod
    def load_fresh(cls) -> "ClinicSettings":
        obj, _ = cls.objects.get_or_create(pk=1)
        return obj


class OpeningHours(models.Model):
    """When reception answers the phone; shown on the site and used to promise a callback time."""

    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    opens = models.TimeField(default=time(9))
    closes = models.TimeField(default=time(17))

    class Meta:
        ordering = ["weekday", "opens"]
        verbose_name_plural = "opening hours"
        constraints = [
            models.CheckConstraint(condition=Q(closes__gt=F("opens")), name="opening_hours_close_after_open")
        ]

    def __str__(self):
        return f"{self.get_weekday_display()} {self.opens:%H:%M}–{self.closes:%H:%M}"


class Heartbeat(models.Model):
    """When a periodic job last ran, or a process was last seen, kept in the shared database so that
    every host's /readyz agrees. Written by `clinic.core.heartbeats.record_heartbeat`."""

    name = models.CharField(max_length=100, primary_key=True)
    at = models.DateTimeField()
    detail = models.CharField(max_length=200, blank=True)

    def __str__(self):
        return f"{self.name} at {self.at:%Y-%m-%d %H:%M:%S}"


class PrivacyRecord(models.Model):
    """That a subject access export, an erasure or a retention run happened: who, when, how many
    rows. Never what was in them (the record itself holds no personal data beyond the row id)."""

    class Kind(models.TextChoices):
        EXPORT = "export", "Subject access export"
        ERASURE = "erasure", "Erasure"
        RETENTION = "retention", "Retention run"

    kind = models.CharField(max_length=10, choices=Kind.choices)
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    patient_id = models.PositiveBigIntegerField("patient record", null=True, blank=True, db_index=True)
    counts = models.JSONField(default=dict, blank=True, help_text="Rows exported or changed, by kind of record.")

    class Meta:
        ordering = ["-at"]
        verbose_name = "privacy request record"

    def __str__(self):
        return f"{self.get_kind_display()} {self.at:%d %b %Y %H:%M}"


class ClinicalAccess(models.Model):
    """One look at a patient's clinical note or screening answers: who, when, which patient."""

    at = models.DateTimeField(default=timezone.now, db_index=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # Kept as typed at the time, so the record still names the member of staff if the login goes.
    by_username = models.CharField("staff login", max_length=150)
    patient_id = models.PositiveBigIntegerField("patient record", db_index=True)
    what = models.CharField(max_length=60)  # "clinical note", "screening answers"
    where = models.CharField(max_length=120, blank=True)  # "appointment K7Q-4MX", "diary, Mon 7 Dec"

    class Meta:
        ordering = ["-at"]
        verbose_name = "clinical record access"
        verbose_name_plural = "clinical record accesses"

    def __str__(self):
        return f"{self.by_username} viewed {self.what} of patient {self.patient_id}"
