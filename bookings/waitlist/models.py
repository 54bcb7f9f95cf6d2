"""The wait list's rows: who is waiting for what, time that came free, and what was offered to whom.

Imported by `bookings.models`, so Django registers them as the bookings app's models.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.db import models
from django.db.models import Q
from django.utils import timezone
from phonenumber_field.modelfields import PhoneNumberField

from clinic.core.models import Weekday

# The parts of the day a patient can ask for, as the day page groups times (`bookings.when`).
PARTS = {"morning": (0, 12), "afternoon": (12, 17), "evening": (17, 24)}
PART_LABELS = {"morning": "Morning (before 12:00)", "afternoon": "Afternoon (12:00 to 17:00)", "evening": "Evening"}
LONGEST_WAIT_DAYS = 28


class WaitListEntryQuerySet(models.QuerySet):
    def waiting(self, today: date | None = None):
        """Entries still on the list: confirmed, not booked or left, and not past their last day."""
        return self.filter(status=WaitListEntry.Status.WAITING, last_day__gte=today or timezone.localdate())


class WaitListEntry(models.Model):
    """Someone who would take a time that suits them if one comes free (up to four weeks ahead)."""

    class Status(models.TextChoices):
        UNCONFIRMED = "unconfirmed", "Mobile not confirmed yet"
        WAITING = "waiting", "Waiting"
        BOOKED = "booked", "Booked from an offer"
        LEFT = "left", "Left the list"
        EXPIRED = "expired", "Expired"

    class Source(models.TextChoices):
        ONLINE = "online", "Online"
        RECEPTION = "reception", "Reception"

    name = models.CharField(max_length=120)
    phone = PhoneNumberField("mobile")
    length = models.ForeignKey(
        "bookings.TreatmentLength", on_delete=models.PROTECT, related_name="+", verbose_name="treatment length"
    )
    therapist = models.ForeignKey(
        "therapists.Therapist",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text="Empty for anyone.",
    )
    # Python weekday numbers as digits ("024" = Mon, Wed, Fri) and part names ("morning,evening"):
    # plain text, so the admin's filters are a simple "contains" on every database.
    days = models.CharField(max_length=7)
    parts = models.CharField(max_length=40)
    last_day = models.DateField(help_text="The entry expires after this day.")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.UNCONFIRMED, db_index=True)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.ONLINE)
    note = models.CharField("reception's note", max_length=200, blank=True)
    created_at = models.DateTimeField("joined", auto_now_add=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    appointment = models.ForeignKey(
        "bookings.Appointment", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    sms_messages = GenericRelation("sms.Message", content_type_field="about_type", object_id_field="about_id")

    objects = WaitListEntryQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = "wait list entry"
        verbose_name_plural = "wait list"
        indexes = [models.Index(fields=["status", "last_day"], name="waitlist_entry_waiting")]

    def __str__(self):
        return f"{self.name}: {self.length.minutes} min, {self.therapist or 'anyone'}"

    @property
    def weekdays(self) -> list[int]:
        return [int(d) for d in self.days]

    @property
    def part_names(self) -> list[str]:
        return [p for p in self.parts.split(",") if p in PARTS]

    def suits(self, start) -> bool:
        """Whether a start time falls on one of the entry's days, parts of day and dates."""
        local = timezone.localtime(start)
        if local.date() > self.last_day or local.weekday() not in self.weekdays:
            return False
        return any(low <= local.hour < high for low, high in (PARTS[p] for p in self.part_names))

    @property
    def days_display(self) -> str:
        return ", ".join(Weekday(d).label[:3] for d in self.weekdays)

    @property
    def parts_display(self) -> str:
        return ", ".join(p for p in self.part_names)


class FreedTime(models.Model):
    """Time that came free in a therapist's diary, to offer to the wait list.

    Written in the transaction that freed it (a cancellation, a no-show, a move, new working
    hours), so it is a promise like an SMS row: a task after commit, or the minutely catch-up,
    offers it. `due_at` is when to look at it next: at once, the end of quiet hours, or when the
    current round of offers runs out. `done_at` is set when there is nothing more to do.
    """

    class Cause(models.TextChoices):
        CANCELLED = "cancelled", "Cancellation"
        NO_SHOW = "no_show", "No-show"
        MOVED = "moved", "Appointment moved"
        HOURS = "hours", "New working hours"

    therapist = models.ForeignKey("therapists.Therapist", on_delete=models.CASCADE, related_name="+")
    start = models.DateTimeField()
    end = models.DateTimeField()
    cause = models.CharField(max_length=10, choices=Cause.choices)
    appointment = models.ForeignKey(
        "bookings.Appointment", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    due_at = models.DateTimeField(default=timezone.now)
    lease_until = models.DateTimeField(null=True, blank=True, editable=False)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "freed time"
        verbose_name_plural = "freed time (wait-list offers)"
        indexes = [models.Index(fields=["due_at"], condition=Q(done_at__isnull=True), name="freed_time_open_due")]

    def __str__(self):
        start, end = timezone.localtime(self.start), timezone.localtime(self.end)
        return f"{self.therapist} {start:%a %-d %b %H:%M}-{end:%H:%M} ({self.get_cause_display().lower()})"


class WaitListOffer(models.Model):
    """One start time offered to one wait-list entry by text, with a signed link to claim it."""

    class Status(models.TextChoices):
        OFFERED = "offered", "Offered"
        CLAIMED = "claimed", "Booked"
        TOO_LATE = "too_late", "Someone was quicker"
        EXPIRED = "expired", "Expired unclaimed"
        WITHDRAWN = "withdrawn", "Withdrawn"

    freed = models.ForeignKey(FreedTime, on_delete=models.CASCADE, related_name="offers")
    entry = models.ForeignKey(WaitListEntry, on_delete=models.CASCADE, related_name="offers")
    therapist = models.ForeignKey("therapists.Therapist", on_delete=models.CASCADE, related_name="+")
    length = models.ForeignKey("bookings.TreatmentLength", on_delete=models.PROTECT, related_name="+")
    start = models.DateTimeField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OFFERED)
    offered_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    answered_at = models.DateTimeField(null=True, blank=True)
    appointment = models.ForeignKey(
        "bookings.Appointment", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    sms_messages = GenericRelation("sms.Message", content_type_field="about_type", object_id_field="about_id")

    class Meta:
        ordering = ["offered_at", "pk"]
        verbose_name = "wait-list offer"
        constraints = [models.UniqueConstraint(fields=["freed", "entry"], name="waitlist_offer_once_per_entry")]

    def __str__(self):
        return f"{self.entry.name}: {timezone.localtime(self.start):%a %-d %b %H:%M} ({self.get_status_display()})"

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OFFERED and self.expires_at > timezone.now()
