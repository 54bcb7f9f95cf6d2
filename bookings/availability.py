"""The availability engine: free start times from a therapist's rules and diary.

Pure: no ORM, no clock, no settings. Everything comes in as plain values (see `schedules.py` for
the loader that fetches them in a constant number of queries), which keeps the hot path of the
public site fast and lets tests state clock-change days exactly.

Times: weekly working ranges are local wall-clock times in `tz`; absences and appointments are
aware instants. Starts are laid on a grid from each range's start in wall-clock steps; a wall time
that does not exist (spring forward) or exists twice (fall back) is never offered, and a slot is
sized in elapsed time, so a 60-minute slot is 60 real minutes on a clock-change day too.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo

ZERO = timedelta(0)

Span = tuple[datetime, datetime]


@dataclass(frozen=True)
class TherapistSchedule:
    """Everything the engine needs to know about one therapist for a run of days."""

    therapist_id: int
    # Python weekday (Monday 0) -> local (start, end) ranges; several a day make a lunch break.
    weekly: Mapping[int, Sequence[tuple[time, time]]]
    absences: Sequence[Span] = ()
    # Time held by existing appointments: (start, end + that appointment's buffer).
    busy: Sequence[Span] = ()
    _busy_sorted: tuple[Span, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        object.__setattr__(self, "_busy_sorted", tuple(sorted(self.busy)))


def local_instant(day: date, wall: time, tz: tzinfo) -> datetime | None:
    """The aware instant for a local wall time, or None if it does not exist or is ambiguous."""
    naive = datetime.combine(day, wall)
    first = naive.replace(tzinfo=tz, fold=0)
    second = naive.replace(tzinfo=tz, fold=1)
    if first.utcoffset() != second.utcoffset():
        # Either the clocks went back (the time happens twice) or forward (it never happens).
        return None
    return first


def range_boundary(day: date, wall: time, tz: tzinfo) -> datetime:
    """A working range's boundary as a UTC instant. Unlike a start, a boundary inside a clock
    change still needs a value; the earlier reading keeps the range from growing."""
    naive = datetime.combine(day, wall)
    return min(naive.replace(tzinfo=tz, fold=0).astimezone(UTC), naive.replace(tzinfo=tz, fold=1).astimezone(UTC))


def _grid(day, wall_start, wall_end, range_start, range_end, step, tz):
    """Candidate starts (UTC) on the wall-clock grid of one working range."""
    wall = datetime.combine(day, wall_start)
    wall_stop = datetime.combine(day, wall_end)
    if range_end - range_start == wall_stop - wall:
        # No clock change inside the range: wall-clock steps are elapsed-time steps.
        start = range_start
        while start < range_end:
            yield start
            start += step
        return
    while wall < wall_stop:
        start = local_instant(day, wall.time(), tz) if wall.date() == day else None
        wall += step
        if start is not None:
            yield start.astimezone(UTC)


class _Sweep:
    """Whether [start, end) overlaps any of `spans` (sorted by start; they may overlap each
    other), for questions asked in order: neither start nor end ever goes back. Each span is
    looked at once, so a working range costs its starts plus its spans, not their product.

    A span overlaps [start, end) when it begins before `end` and ends after `start`. The spans
    beginning before `end` are a prefix of the list that only grows as `end` does; one of them
    ends after `start` exactly when the latest end among them does.
    """

    __slots__ = ("spans", "taken", "latest_end")

    def __init__(self, spans: list[Span]):
        self.spans = spans
        self.taken = 0
        self.latest_end: datetime | None = None

    def overlaps(self, start: datetime, end: datetime) -> bool:
        spans, taken = self.spans, self.taken
        while taken < len(spans) and spans[taken][0] < end:
            if self.latest_end is None or spans[taken][1] > self.latest_end:
                self.latest_end = spans[taken][1]
            taken += 1
        self.taken = taken
        return self.latest_end is not None and self.latest_end > start


def free_starts(
    *,
    schedules: Iterable[TherapistSchedule],
    days: Iterable[date],
    duration: timedelta,
    tz: tzinfo,
    now: datetime | None,
    buffer: timedelta = ZERO,
    step: timedelta = timedelta(minutes=15),
    min_notice: timedelta = ZERO,
    last_day: date | None = None,
    closures: Collection[date] = frozenset(),
) -> dict[int, dict[date, list[datetime]]]:
    """Free start times per therapist per local day.

    A start is free when the appointment [start, start + duration) lies inside one working range
    of that day, does not touch an absence, and its held time [start, start + duration + buffer)
    does not overlap the held time of an existing appointment; and when it is at least
    `min_notice` after `now`, on or before `last_day`, and not on a closed day.
    """
    if duration <= ZERO or step <= ZERO:
        raise ValueError("duration and step must be positive")
    days = list(days)
    # Reception may book at any time (now=None); patients only after the minimum notice.
    earliest = now + min_notice if now is not None else datetime.min.replace(tzinfo=UTC)
    result: dict[int, dict[date, list[datetime]]] = {}
    for schedule in schedules:
        # Everything is compared in UTC: comparing datetimes in different zones makes Python look
        # up both offsets on every comparison, which dominated the engine's time.
        busy = [(s.astimezone(UTC), e.astimezone(UTC)) for s, e in schedule._busy_sorted]
        busy_starts = [s for s, _ in busy]
        # Appointments of one therapist never overlap (the database guarantees it), so their
        # ends are sorted too and a window of them can be found by bisection.
        busy_ends = [e for _, e in busy]
        absences = [(s.astimezone(UTC), e.astimezone(UTC)) for s, e in schedule.absences]
        per_day: dict[date, list[datetime]] = {}
        for day in days:
            starts: list[datetime] = []
            if day not in closures and (last_day is None or day <= last_day):
                for range_start_wall, range_end_wall in schedule.weekly.get(day.weekday(), ()):
                    range_start = range_boundary(day, range_start_wall, tz)
                    range_end = range_boundary(day, range_end_wall, tz)
                    if range_end - duration < earliest:
                        continue
                    lo = bisect_right(busy_ends, range_start)
                    hi = bisect_left(busy_starts, range_end + buffer)
                    # Starts come in order, so each check sweeps forward (linear, not starts x spans).
                    held = _Sweep(busy[lo:hi])
                    away = _Sweep(sorted((s, e) for s, e in absences if s < range_end and e > range_start))
                    for start in _grid(day, range_start_wall, range_end_wall, range_start, range_end, step, tz):
                        if start < range_start or start < earliest:
                            continue
                        end = start + duration
                        if end > range_end:
                            break
                        if held.overlaps(start, end + buffer) or away.overlaps(start, end):
                            continue
                        starts.append(start)
            # Overlapping working ranges (a data-entry slip) must not offer a time twice.
            per_day[day] = [s.astimezone(tz) for s in sorted(set(starts))]
        result[schedule.therapist_id] = per_day
    return result
