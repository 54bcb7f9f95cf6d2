"""Loads the availability engine's inputs, and asks it the questions the site and services ask.

`load_schedules` runs a fixed number of queries whatever the number of therapists or days: the
appointments, plus working hours, absences and closures when the cached set-up snapshot cannot
serve them. The engine is the public site's hot path; pages also cache its answers per
therapist-day (`find_free_starts(cache=True)`), keyed by the versions of their inputs.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from clinic.core.models import ClinicSettings
from clinic.core.versions import SETUP, cached, cached_many
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


@dataclass(frozen=True)
class SetupSnapshot:
    """The rarely-changing inputs of availability, from `since` on: every therapist's weekly hours,
    absences not over before `since`, closures not over before its day. Cached under the `setup`
    version, which every save or delete of these rows bumps, so a booking may trust it under
    its lock as much as a fresh read: only appointments are read from the database there."""

    since: datetime
    weekly: dict[int, dict[int, list[tuple[time, time]]]]
    absences: dict[int, list[tuple[datetime, datetime]]]
    closures: list[tuple[date, date]]


def setup_snapshot(now: datetime | None = None) -> SetupSnapshot:
    """Today's snapshot (a new key each day, so what is over drops out of it)."""
    today = timezone.localdate(now)
    return cached(f"availability-setup:{today.isoformat()}", depends_on=[SETUP], compute=lambda: _snapshot(today))


def _snapshot(today: date) -> SetupSnapshot:
    since, _ = local_day_bounds(today - timedelta(days=1))
    weekly: dict[int, dict[int, list]] = defaultdict(lambda: defaultdict(list))
    for therapist_id, weekday, start, end in WorkingHours.objects.values_list(
        "therapist_id", "weekday", "start", "end"
    ):
        weekly[therapist_id][weekday].append((start, end))
    absences = defaultdict(list)
    for therapist_id, s, e in Absence.objects.filter(ends_at__gt=since).values_list(
        "therapist_id", "starts_at", "ends_at"
    ):
        absences[therapist_id].append((s, e))
    closures = list(Closure.objects.filter(end_date__gte=since.date()).values_list("start_date", "end_date"))
    return SetupSnapshot(
        since=since,
        weekly={t: {wd: sorted(ranges) for wd, ranges in days.items()} for t, days in weekly.items()},
        absences=dict(absences),
        closures=closures,
    )


def _setup_from_database(ids, first_day, last_day, window_start, window_end):
    """Hours, absences and closures for a window the snapshot does not cover (the past)."""
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
    closures = list(
        Closure.objects.filter(start_date__lte=last_day, end_date__gte=first_day).values_list("start_date", "end_date")
    )
    return {t: {wd: sorted(r) for wd, r in days.items()} for t, days in weekly.items()}, absences, closures


def load_schedules(
    therapist_ids: Sequence[int], first_day: date, last_day: date, *, ignore_appointment_id: int | None = None
) -> tuple[list[TherapistSchedule], set[date]]:
    """The schedules of these therapists over [first_day, last_day], and the closed days in it.

    One query (the appointments) when the window starts after yesterday and the cached set-up
    snapshot is there; four (hours, absences, closures, appointments) otherwise.
    """
    window_start, _ = local_day_bounds(first_day)
    _, window_end = local_day_bounds(last_day)
    ids = list(therapist_ids)

    snapshot = setup_snapshot()
    if window_start >= snapshot.since:
        weekly, absences, closures = snapshot.weekly, snapshot.absences, snapshot.closures
    else:
        weekly, absences, closures = _setup_from_database(ids, first_day, last_day, window_start, window_end)

    closed: set[date] = set()
    for s, e in closures:
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
            weekly=weekly.get(t, {}),
            absences=[(s, e) for s, e in absences.get(t, ()) if s < window_end and e > window_start],
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
    cache: bool = False,
) -> dict[int, dict[date, list[datetime]]]:
    """Free starts per therapist per day for a treatment length.

    `online=True` applies the clinic's minimum notice and horizon (what patients may book);
    reception books with `online=False`: any time that is inside working hours and free.
    `cache=True` reads each therapist-day from the shared cache (online questions only): for
    pages, never for the re-check under the booking lock, which must see the database.
    """
    now = now or timezone.now()
    policy = policy or BookingPolicy.from_settings()
    ids = list(therapist_ids)
    if cache and online and ignore_appointment_id is None:
        return _cached_free_starts(ids, length, first_day, last_day, now, policy)
    schedules, closed = load_schedules(ids, first_day, last_day, ignore_appointment_id=ignore_appointment_id)
    return _ask_engine(schedules, closed, first_day, last_day, length, now, policy, online)


def _ask_engine(schedules, closed, first_day, last_day, length, now, policy, online):
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


def free_and_held_on_day(
    *, therapist_ids: Sequence[int], length: TreatmentLength, day: date, online: bool = True
) -> tuple[dict[int, list[datetime]], dict[int, timedelta]]:
    """From one load of the day (from the database, for the booking lock): each therapist's free
    starts, and the time their appointments already hold that day (clearing-up time included), by
    which "no preference" shares the work out."""
    now = timezone.now()
    policy = BookingPolicy.from_settings()
    schedules, closed = load_schedules(therapist_ids, day, day)
    found = _ask_engine(schedules, closed, day, day, length, now, policy, online)
    day_start, day_end = local_day_bounds(day)
    held = {
        schedule.therapist_id: sum(
            (min(e, day_end) - max(s, day_start) for s, e in schedule.busy if s < day_end and e > day_start),
            timedelta(0),
        )
        for schedule in schedules
    }
    return {t: found[t][day] for t in therapist_ids}, held


# --- the per-therapist-day cache ------------------------------------------------------------------


def diary_version(therapist_id: int) -> str:
    """The version name every write to this therapist's appointments bumps (`bookings.services`)."""
    return f"diary:{therapist_id}"


# Bumped with every therapist's own (`bookings.services.diary_changed`): what depends on everyone's
# diary (the "no preference" panel) reads this one version, not one per therapist.
ANY_DIARY = "diary:any"


def ceil_minute(moment: datetime) -> datetime:
    """`moment` rounded up to the next whole minute (unchanged if it is one)."""
    floored = moment.replace(second=0, microsecond=0)
    return floored if floored == moment else floored + timedelta(minutes=1)


def _cached_free_starts(ids, length, first_day, last_day, now, policy) -> dict[int, dict[date, list[datetime]]]:
    """`find_free_starts` for patients, one therapist-day per cache entry.

    An entry depends on the clinic's set-up and that therapist's diary (their versions are in its
    key) and, for the days the minimum notice reaches into, on the minute of `now`: those are
    computed as of the end of the current minute, which gives exactly what any instant within it
    would, because starts are whole minutes. Later days do not depend on `now` at all, except
    through the horizon, which is applied outside the cache.
    """
    rounded = ceil_minute(now)
    last_online = policy.last_day(now)
    notice_until = timezone.localdate(rounded + policy.min_notice)
    minute = rounded.strftime("%Y%m%d%H%M")
    # Each day's part of the key once, not once per therapist.
    days = {
        day: f"{day.isoformat()}@{minute}" if day <= notice_until else day.isoformat()
        for day in days_between(first_day, min(last_day, last_online))
    }
    keys = {}
    for therapist_id in ids:
        prefix, names = f"free:{length.pk}:{therapist_id}:", (SETUP, diary_version(therapist_id))
        for day, part in days.items():
            keys[(therapist_id, day)] = (prefix + part, names)

    def compute(missing):
        wanted_ids = sorted({t for t, _ in missing})
        days = [d for _, d in missing]
        schedules, closed = load_schedules(wanted_ids, min(days), max(days))
        found = free_starts(
            schedules=schedules,
            days=days_between(min(days), max(days)),
            duration=length.duration,
            buffer=length.buffer,
            tz=timezone.get_current_timezone(),
            now=rounded,
            step=policy.step,
            min_notice=policy.min_notice,
            last_day=last_online,
            closures=closed,
        )
        return {(t, d): tuple(found[t][d]) for t, d in missing}

    # Kept as tuples and shared in the process (no unpickling per entry: a 40-therapist
    # fortnight is 560 of them); every caller gets lists of its own.
    cached = cached_many(keys, compute, shared=True) if keys else {}
    return {t: {d: list(cached.get((t, d), ())) for d in days_between(first_day, last_day)} for t in ids}
