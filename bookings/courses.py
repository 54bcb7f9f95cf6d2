"""Courses of sessions: what reception sees before booking one, and "session 2 of 6" (reads only).

A course repeats an appointment every 1 to 4 weeks at the same wall-clock time with the same
therapist. The preview says for each date whether that time is free and, where it is not, why
(the clash named), with the three nearest free alternatives: the same therapist's two nearest,
then the nearest time anyone else who offers the length has free, then the same therapist's next.
Alternatives are looked for within three days either side, so the weekly rhythm holds.

Everything is loaded in a fixed number of queries whatever the course's length; booking the
chosen dates is `bookings.services.book_course`.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from django.utils import timezone

from therapists.models import Therapist

from .availability import free_starts
from .models import Appointment, Course, local_day_bounds
from .schedules import BookingPolicy, load_schedules

MAX_SESSIONS = 12
EVERY_WEEKS = (1, 2, 3, 4)
WINDOW = timedelta(days=3)
ALTERNATIVES = 3


@dataclass(frozen=True)
class Option:
    """A time a session could be booked: a start with a therapist."""

    start: datetime
    therapist_id: int
    therapist_name: str

    @property
    def value(self) -> str:
        """How the preview form names this option (no personal data): UTC start and therapist."""
        return f"{self.start.astimezone(UTC):%Y-%m-%dT%H:%MZ}|{self.therapist_id}"

    @property
    def local_start(self) -> datetime:
        return timezone.localtime(self.start)


@dataclass
class PlannedSession:
    number: int  # its place in the course, counting the sessions already booked
    wanted: Option
    free: bool
    reason: str = ""  # why the wanted time cannot be booked
    alternatives: list[Option] = field(default_factory=list)

    @property
    def options(self) -> list[Option]:
        return [self.wanted] if self.free else self.alternatives

    @property
    def suggested(self) -> Option | None:
        """What the form offers ticked: the wanted time, or else the nearest alternative."""
        options = self.options
        return options[0] if options else None


def parse_option(value: str) -> tuple[datetime, int] | None:
    """The start and therapist id an option's form value names, or None if it is malformed."""
    try:
        when, therapist_id = value.split("|")
        start = datetime.strptime(when, "%Y-%m-%dT%H:%MZ").replace(tzinfo=UTC)
        return start, int(therapist_id)
    except (ValueError, AttributeError):
        return None


def same_time_every(start: datetime, *, count: int, every_weeks: int) -> list[datetime]:
    """`count` starts after `start`, every `every_weeks` weeks at the same local wall-clock time
    (so a course keeps its 10:00 across a clock change)."""
    local = timezone.localtime(start)
    wall, zone = local.replace(tzinfo=None), local.tzinfo
    return [timezone.make_aware(wall + timedelta(weeks=every_weeks * n), zone) for n in range(1, count + 1)]


def course_base(appointment: Appointment) -> tuple[Appointment, int]:
    """Where a new run of sessions follows on from: the course's last session (or the appointment
    itself if it is not in a course yet), and how many sessions the course already has."""
    if appointment.course_id is None:
        return appointment, 1
    sessions = list(
        appointment.course.sessions.exclude(status=Appointment.Status.CANCELLED)
        .select_related("therapist", "length__treatment", "patient")
        .order_by("start")
    )
    return (sessions[-1], len(sessions)) if sessions else (appointment, 1)


def plan_course(*, appointment: Appointment, sessions: int, every_weeks: int, now=None) -> list[PlannedSession]:
    """The preview of `sessions` more sessions every `every_weeks` weeks after `appointment` (or
    after its course's last session): for each date, free or taken with why and alternatives."""
    now = now or timezone.now()
    base, already = course_base(appointment)
    therapist, length, patient = base.therapist, base.length, base.patient
    wanted = same_time_every(base.start, count=sessions, every_weeks=every_weeks)
    days = sorted(
        {
            (w + offset).astimezone(timezone.get_current_timezone()).date()
            for w in wanted
            for offset in (timedelta(days=d) for d in range(-WINDOW.days, WINDOW.days + 1))
        }
    )
    others = list(Therapist.objects.active().offering(length).exclude(pk=therapist.pk))
    names = {t.pk: t.name for t in [therapist, *others]}
    ids = list(names)
    schedules, closed = load_schedules(ids, days[0], days[-1])
    free = free_starts(
        schedules=schedules,
        days=days,
        duration=length.duration,
        buffer=length.buffer,
        tz=timezone.get_current_timezone(),
        now=None,
        step=BookingPolicy.from_settings().step,
        closures=closed,
    )
    window_start, window_end = local_day_bounds(days[0])[0], local_day_bounds(days[-1])[1]
    busy = list(
        Appointment.objects.holding_time()
        .filter(start__lt=window_end, blocked_until__gt=window_start)
        .filter(therapist=therapist)
        .select_related("patient")
        .order_by("start")
    )
    own = list(
        Appointment.objects.holding_time()
        .filter(patient=patient, start__lt=window_end, end__gt=window_start)
        .select_related("therapist")
    )
    absences = next(s.absences for s in schedules if s.therapist_id == therapist.pk)

    def patient_has(start, end):
        return next((a for a in own if a.start < end and a.end > start), None)

    def usable(therapist_id, start):
        return start > now and patient_has(start, start + length.duration) is None

    planned = []
    for number, start in enumerate(wanted, start=already + 1):
        day = timezone.localtime(start).date()
        option = Option(start, therapist.pk, therapist.name)
        is_free = start in free[therapist.pk].get(day, [])
        reason = ""
        if start <= now:
            is_free, reason = False, "That date has passed."
        elif is_free and (held := patient_has(start, start + length.duration)):
            is_free = False
            reason = f"{patient.name} already has {held.local_start:%H:%M} with {held.therapist.name} that day."
        elif not is_free:
            reason = _why_not_free(
                therapist, start, start + length.duration + length.buffer, day, closed, absences, busy
            )
        alternatives = []
        if not is_free:
            alternatives = _nearest(start, therapist.pk, free, names, lambda t, s: usable(t, s))
        planned.append(PlannedSession(number, option, is_free, reason, alternatives))
    return planned


def _why_not_free(therapist, start, held_until, day: date, closed, absences, busy) -> str:
    if day in closed:
        return "The clinic is closed that day."
    clash = next((a for a in busy if a.start < held_until and a.blocked_until > start), None)
    if clash is not None:
        return f"{therapist.name} has {clash.patient.name} {clash.times_held}."
    if any(s < held_until and e > start for s, e in absences):
        return f"{therapist.name} is away then."
    return f"Outside {therapist.name}'s working hours."


def _nearest(wanted: datetime, therapist_id: int, free, names, usable) -> list[Option]:
    def around(ids):
        found = [
            (abs(start - wanted), start, t)
            for t in ids
            for day_starts in free.get(t, {}).values()
            for start in day_starts
            if abs(start - wanted) <= WINDOW and usable(t, start)
        ]
        return [Option(start, t, names[t]) for _, start, t in sorted(found, key=lambda f: (f[0], f[1], f[2]))]

    same = around([therapist_id])
    other = around([t for t in names if t != therapist_id])
    ordered = same[:2] + other[:1] + same[2:] + other[1:]
    return ordered[:ALTERNATIVES]


# --- "session 2 of 6" ---------------------------------------------------------------------------


def session_numbers(appointments) -> dict[int, tuple[int, int]]:
    """{appointment id: (its place, how many)} for the course sessions among `appointments`, in one
    query. Cancelled sessions are not counted (and get no number); no-shows are."""
    course_ids = {a.course_id for a in appointments if a.course_id}
    if not course_ids:
        return {}
    per_course = defaultdict(list)
    for pk, course_id in (
        Appointment.objects.filter(course_id__in=course_ids)
        .exclude(status=Appointment.Status.CANCELLED)
        .order_by("start", "pk")
        .values_list("pk", "course_id")
    ):
        per_course[course_id].append(pk)
    return {pk: (i, len(pks)) for pks in per_course.values() for i, pk in enumerate(pks, start=1)}


def session_label(numbers: dict[int, tuple[int, int]], appointment_id: int) -> str:
    place = numbers.get(appointment_id)
    return f"session {place[0]} of {place[1]}" if place else ""


def upcoming_sessions(course: Course, *, now=None) -> list[Appointment]:
    """The course's sessions still to come that hold time, earliest first."""
    return list(
        course.sessions.holding_time()
        .filter(start__gt=now or timezone.now())
        .select_related("therapist", "length__treatment", "patient")
        .order_by("start")
    )
