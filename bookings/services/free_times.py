"""Reads the booking services share: who is free when, the nearest free times, and why a time
cannot be had, in words for the patient (never naming anyone) or for reception (the clash, with
its clearing-up time, and the free times nearby). Nothing here writes.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from django.utils import timezone

from therapists.models import Therapist

from ..catalogue import load_catalogue
from ..models import Appointment, TreatmentLength
from ..schedules import BookingPolicy, find_free_starts
from .errors import Alternative, PolicyViolation, SlotUnavailable


def nearest_free_starts(
    *,
    length: TreatmentLength,
    around: datetime,
    therapist: Therapist | None,
    count: int = 3,
    online: bool = True,
    ignore_appointment_id: int | None = None,
) -> list[Alternative]:
    """The `count` free starts nearest to `around`, looking a week either side."""
    if therapist:
        ids = [therapist.pk]
    else:
        ids = load_catalogue().offering(length) if online else offering_ids(length)
    day = timezone.localtime(around).date()
    found = find_free_starts(
        therapist_ids=ids,
        length=length,
        first_day=day - timedelta(days=7),
        last_day=day + timedelta(days=7),
        online=online,
        ignore_appointment_id=ignore_appointment_id,
        cache=True,  # outside any lock: alternatives are suggestions, booked under the lock
    )
    starts = sorted({s for per_day in found.values() for day_starts in per_day.values() for s in day_starts})
    starts.sort(key=lambda s: (abs(s - around), s))
    return [Alternative(start=s, therapist_id=therapist.pk if therapist else None) for s in starts[:count]]


def offering_ids(length: TreatmentLength) -> list[int]:
    return list(Therapist.objects.active().offering(length).values_list("pk", flat=True))


def free_therapists_at(
    ids, length, start, *, online, ignore_appointment_id=None, cache=False, policy=None
) -> list[int]:
    """Which of these therapists could take `length` at `start` (one availability load).

    `cache=True` only outside the booking lock (showing a page): under it, read the database."""
    day = timezone.localtime(start).date()
    found = find_free_starts(
        therapist_ids=ids,
        length=length,
        first_day=day,
        last_day=day,
        online=online,
        ignore_appointment_id=ignore_appointment_id,
        cache=cache,
        policy=policy,
    )
    return [t for t in ids if start in found.get(t, {}).get(day, [])]


def not_free_refusal(
    ids, length: TreatmentLength, start: datetime, *, ignore_appointment_id: int | None = None
) -> SlotUnavailable | PolicyViolation:
    """Why no one can take an online booking (or a patient's move) at `start`: it is taken, it
    is off the grid of start times (typed into an address), or it is outside hours. Never names
    who has the time: patients read this. Alternatives are added by the caller."""
    held_until = start + length.duration + length.buffer
    taken = Appointment.objects.holding_time().filter(therapist_id__in=ids).overlapping(start, held_until)
    if taken.exclude(pk=ignore_appointment_id).exists():
        return SlotUnavailable()
    policy = BookingPolicy.from_settings()
    # Free on a one-minute grid but not on the clinic's: the time itself is the problem.
    minute_grid = replace(policy, step=timedelta(minutes=1))
    if free_therapists_at(
        ids, length, start, online=True, ignore_appointment_id=ignore_appointment_id, policy=minute_grid
    ):
        minutes = int(policy.step.total_seconds() // 60)
        return PolicyViolation(
            f"Online bookings start every {minutes} minutes, and {timezone.localtime(start):%H:%M} is not one "
            "of those times. Please choose another time."
        )
    return PolicyViolation("That time is outside our hours for online booking. Please choose another time.")


def clashes(appointment, therapist, length, start) -> bool:
    """Whether another active appointment of `therapist` overlaps this one's held time (buffer
    included); `appointment` is the one being moved, or None for a new one. Reception may book
    outside working hours, but never over another appointment."""
    return _clashing(appointment, therapist, length, start).exists()


def _clashing(appointment, therapist, length, start):
    end = start + length.duration + length.buffer
    return (
        Appointment.objects.holding_time()
        .filter(therapist=therapist)
        .overlapping(start, end)
        .exclude(pk=appointment.pk if appointment else None)
    )


def clash_message(appointment, therapist, length, start) -> str:
    """The clash in words reception can act on: who already has the time, and when, clearing-up
    time included (the other booking's, or this one's when that is what collides)."""
    clash = _clashing(appointment, therapist, length, start).select_related("patient").first()
    local = timezone.localtime(start)
    if clash is None:
        return f"{therapist} is not free at {local:%H:%M} on {local:%a %d %b}."
    text = (
        f"{therapist} already has {clash.patient.name} ({clash.reference}) "
        f"{clash.times_held} on {clash.local_start:%a %d %b}."
    )
    end, held_until = start + length.duration, start + length.duration + length.buffer
    if end <= clash.start < held_until:
        text += (
            f" This {length.minutes}-minute booking needs {therapist} until "
            f"{timezone.localtime(held_until):%H:%M} with its clearing-up time."
        )
    return text


def free_nearby_text(*, therapist, length, start, appointment=None) -> str:
    """For reception after a clash: the nearest free starts with this therapist (a read)."""
    nearby = nearest_free_starts(
        length=length,
        around=start,
        therapist=therapist,
        online=False,
        ignore_appointment_id=appointment.pk if appointment else None,
    )
    if not nearby:
        return ""
    day = timezone.localtime(start).date()
    times = [
        f"{timezone.localtime(a.start):%H:%M}"
        if timezone.localtime(a.start).date() == day
        else f"{timezone.localtime(a.start):%a %d %b %H:%M}"
        for a in nearby
    ]
    return f"Free nearby with {therapist}: {', '.join(times)}."
