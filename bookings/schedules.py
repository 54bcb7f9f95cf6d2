"""Loads the availability engine's inputs, and asks it the questions the site and services ask.

`load_schedules` runs exactly four queries (working hours, absences, closures, appointments)
whatever the number of therapists or days: the engine is the public site's hot path.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.utils import timezone

from clinic.core.models import ClinicSettings
from therapists.models import Absence, Closure, WorkingHours

from .availability import TherapistSchedule, free_starts
from .models import Appointment, TreatmentLength, local_day_bounds


@dataclass(frozen=True)
class BookingPolicy:
    """The clinic's online booking rules, as the engine wants them."""

    step: timedelta
    min_notice: timedelta
    horizon_days: int

    @classmethod
    def from_settings(cls, clinic: ClinicSettings | None = None) -> BookingPolicy:
        clinic = clinic or ClinicSettings.load()
        return cls(
            step=timedelta(minutes=clinic.slot_step_minutes),
            min_notice=timedelta(minutes=clinic.min_notice_minutes),
            horizon_days=clinic.horizon_days,
        )

    def last_day(self, now: datetime) -> date:
        return timezone.localtime(now).date() + timedelta(days=self.horizon_days)


def load_schedules(
    therapist_ids: Sequence[int], first_day: date, last_day: date, *, ignore_appointment_id: int | None = None
) -> tuple[list[TherapistSchedule], set[date]]:
    """The schedules of these therapists over [first_day, last_day], and the closed days in it."""
    window_start, _ = local_day_bounds(first_day)
    _, window_end = local_day_bounds(last_day)
    ids = list(therapist_ids)

    weekly: dict[int, dict[int, list]] = defaultdict(lambda: defaultdict(list))
    for therapist_id, weekday, start, end in WorkingHours.objects.filter(therapist_id__in=ids).values_list(
        "therapist_id", "weekday", "start", "end"
    ):
        weekly[therapist_id][weekday].append((start, end))

    absences = defaultdict(list)
    for therapist_id, s, e in Absence.objects.filter(
        therapist_id__in=ids, starts_at__lt=window_end, ends_at__gt=window_start
    ).values_list("therapist_id", "starts_at", "ends_at"):
        absences[therapist_id].append((s, e))

    closed: set[date] = set()
    for s, e in Closure.objects.filter(start_date__lte=last_day, end_date__gte=first_day).values_list(
        "start_date", "end_date"
    ):
        day = max(s, first_day)
        while day <= min(e, last_day):
            closed.add(day)
            day += timedelta(days=1)

    appointments = Appointment.objects.holding_time().filter(
        therapist_id__in=ids, start__lt=window_end, blocked_until__gt=window_start
    )
    if ignore_appointment_id:
        appointments = appointments.exclude(pk=ignore_appointment_id)
    busy = defaultdict(list)
    for therapist_id, s, e in appointments.values_list("therapist_id", "start", "blocked_until"):
        busy[therapist_id].append((s, e))

    schedules = [
        TherapistSchedule(
            therapist_id=t,
            weekly={wd: sorted(ranges) for wd, ranges in weekly[t].items()},
            absences=absences[t],
            busy=busy[t],
        )
        for t in ids
    ]
    return schedules, closed


def days_between(first_day: date, last_day: date) -> list[date]:
    return [first_day + timedelta(days=i) for i in range((last_day - first_day).days + 1)]


def find_free_starts(
    *,
    therapist_ids: Iterable[int],
    length: TreatmentLength,
    first_day: date,
    last_day: date,
    now: datetime | None = None,
    policy: BookingPolicy | None = None,
    online: bool = True,
    ignore_appointment_id: int | None = None,
) -> dict[int, dict[date, list[datetime]]]:
    """Free starts per therapist per day for a treatment length.

    `online=True` applies the clinic's minimum notice and horizon (what patients may book);
    reception books with `online=False`: any time that is inside working hours and free.
    """
    now = now or timezone.now()
    policy = policy or BookingPolicy.from_settings()
    ids = list(therapist_ids)
    schedules, closed = load_schedules(ids, first_day, last_day, ignore_appointment_id=ignore_appointment_id)
    return free_starts(
        schedules=schedules,
        days=days_between(first_day, last_day),
        duration=length.duration,
        buffer=length.buffer,
        tz=timezone.get_current_timezone(),
        now=now if online else None,
        step=policy.step,
        min_notice=policy.min_notice if online else timedelta(0),
        last_day=policy.last_day(now) if online else None,
        closures=closed,
    )
