from django.db import models
from django.db.models import F, Q

from clinic.core.models import Weekday
from clinic.core.versioned import VersionedModel, VersionedQuerySet


class TherapistQuerySet(VersionedQuerySet):
    def active(self):
        return self.filter(active=True)

    def offering(self, length):
        """Therapists who offer this treatment length."""
        return self.filter(lengths=length)


class Therapist(VersionedModel):
    name = models.CharField(max_length=100)
    slug = models.SlugField(unique=True)
    bio = models.TextField("short bio", blank=True)
    active = models.BooleanField(default=True, help_text="Inactive therapists cannot be booked online.")
    display_order = models.PositiveSmallIntegerField(default=0)
    lengths = models.ManyToManyField(
        "bookings.TreatmentLength",
        blank=True,
        related_name="therapists",
        verbose_name="treatment lengths offered",
    )
    user = models.OneToOneField(
        "auth.User",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="therapist",
        help_text="The therapist's own staff login, so they see their own appointments.",
    )

    objects = TherapistQuerySet.as_manager()

    class Meta:
        ordering = ["display_order", "name"]

    def __str__(self):
        return self.name


class WorkingHours(VersionedModel):
    """A weekly rule: several ranges a day are allowed, so a lunch break is a gap, not a row."""

    therapist = models.ForeignKey(Therapist, on_delete=models.CASCADE, related_name="working_hours")
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    start = models.TimeField()
    end = models.TimeField()

    class Meta:
        ordering = ["therapist", "weekday", "start"]
        verbose_name_plural = "working hours"
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="working_hours_end_after_start"),
        ]

    def __str__(self):
        return f"{self.get_weekday_display()} {self.start:%H:%M}–{self.end:%H:%M}"


class Absence(VersionedModel):
    """Holiday, sickness, training: the therapist cannot be booked between these instants."""

    therapist = models.ForeignKey(Therapist, on_delete=models.CASCADE, related_name="absences")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["starts_at"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="absence_ends_after_start"),
        ]

    def __str__(self):
        return f"{self.therapist}: {self.starts_at:%d %b %H:%M} – {self.ends_at:%d %b %H:%M}"


class Closure(VersionedModel):
    """A day or run of days the whole clinic is shut (bank holidays, refurbishment)."""

    start_date = models.DateField()
    end_date = models.DateField(help_text="Last closed day (the same as the first for one day).")
    reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["start_date"]
        constraints = [
            models.CheckConstraint(condition=Q(end_date__gte=F("start_date")), name="closure_end_not_before_start"),
        ]

    def __str__(self):
        if self.start_date == self.end_date:
            return f"{self.start_date:%a %d %b %Y} {self.reason}".strip()
        return f"{self.start_date:%d %b} – {self.end_date:%d %b %Y} {self.reason}".strip()

    def covers(self, day) -> bool:
        return self.start_date <= day <= self.end_date
