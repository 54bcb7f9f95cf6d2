from datetime import time

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from phonenumber_field.modelfields import PhoneNumberField


class Weekday(models.IntegerChoices):
    """Python's numbering (Monday is 0), as `date.weekday()` returns it."""

    MONDAY = 0, "Monday"
    TUESDAY = 1, "Tuesday"
    WEDNESDAY = 2, "Wednesday"
    THURSDAY = 3, "Thursday"
    FRIDAY = 4, "Friday"
    SATURDAY = 5, "Saturday"
    SUNDAY = 6, "Sunday"


class ClinicSettings(models.Model):
    """The clinic's own details and booking policy: one row, edited by the manager in admin."""

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
    reminder_hours_before = models.PositiveIntegerField(default=24)

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
