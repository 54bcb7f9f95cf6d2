"""Reception's diary: the day grid (a column per therapist) and the week grid (one therapist).

The grid is built by pure functions from plain values, so clock-change days and odd placements
can be tested without a database; `load_day` and `load_week` fetch those values in a fixed number
of queries whatever the number of therapists or appointments.

Rows are 15-minute slots. In the day view a row is 15 *elapsed* minutes from the first working
minute of the day, so on the spring clock change 01:00-01:59 is simply absent and in autumn
01:00-01:59 appears twice (labelled BST and GMT). The week view's rows are wall-clock times shared
by seven days, so a wall time that does not exist on one day is shown as a gap.

The grid becomes an HTML table with rowspans: CSP forbids style attributes, a table needs none,
and it prints well.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from django.db.models import Q
from django.utils import timezone

from therapists.models import Absence, Closure, Therapist, WorkingHours

from .availability import range_boundary
from .models import Appointment, local_day_bounds

STEP = timedelta(minutes=15)
Span = tuple[datetime, datetime]

FREE = "free"
APPOINTMENT = "appointment"
BUFFER = "buffer"
OFF = "off"
ABSENT = "absent"
CLOSED = "closed"
GAP = "gap"

# What a shaded run of cells says (screen readers and print read the text, not the shading).
LABELS = {
    BUFFER: "Clearing up",
    OFF: "Not working",
    ABSENT: "Away",
    CLOSED: "Clinic closed",
    GAP: "Clock change",
}


@dataclass(frozen=True)
class Slot:
    start: datetime
    end: datetime


@dataclass
class Cell:
    kind: str
    rowspan: int = 1
    label: str = ""
    slot: Slot | None = None  # the first slot the cell covers
    appointment: object | None = None
    column: object | None = None


@dataclass
class Column:
    """One column's inputs: the slots of its rows and what happens in them (aware instants)."""

    key: object
    label: str
    slots: Sequence[Slot | None]
    working: Sequence[Span] = ()
    absences: Sequence[tuple[datetime, datetime, str]] = ()
    closed: str | None = None  # the closure's reason ("" for none given), or None if open
    appointments: Sequence = ()  # objects with start, end, blocked_until
    therapist: object | None = None
    day: date | None = None
    cells: list[Cell | None] = field(default_factory=list)


@dataclass
class Row:
    index: int
    label: str
    slot: Slot | None
    cells: list[Cell]
    is_now: bool = False
    on_the_hour: bool = False


@dataclass
class Grid:
    columns: list[Column]
    rows: list[Row]
    now_label: str = ""


# --- time helpers ------------------------------------------------------------------------------


def existing_instant(day: date, wall: time, tz: tzinfo) -> datetime | None:
    """The first instant a wall time happens on `day`, or None if the clocks skip it."""
    naive = datetime.combine(day, wall)
    first = naive.replace(tzinfo=tz, fold=0)
    second = naive.replace(tzinfo=tz, fold=1)
    if first.utcoffset() < second.utcoffset():
        return None  # spring forward: this wall time never happens
    return first.astimezone(UTC)


def _floor(instant: datetime) -> datetime:
    seconds = int(instant.timestamp())
    return datetime.fromtimestamp(seconds - seconds % int(STEP.total_seconds()), UTC)


def _ceil(instant: datetime) -> datetime:
    floored = _floor(instant)
    return floored if floored == instant else floored + STEP


def day_slots(day: date, spans: Iterable[Span], tz: tzinfo) -> list[Slot]:
    """15-minute elapsed-time slots covering `spans` (rounded out to the quarter hour), within the day."""
    spans = list(spans)
    if not spans:
        return []
    day_start, day_end = local_day_bounds(day)
    # In UTC: adding 15 minutes to a zone-aware datetime is wall-clock arithmetic in Python.
    first = max(_floor(min(s for s, _ in spans)), day_start.astimezone(UTC))
    last = min(_ceil(max(e for _, e in spans)), day_end.astimezone(UTC))
    slots = []
    at = first
    while at < last:
        slots.append(Slot(at, at + STEP))
        at += STEP
    return slots


def slot_labels(slots: Sequence[Slot | None], tz: tzinfo) -> list[str]:
    """HH:MM in local time; a time that happens twice (autumn) gets its zone name, e.g. 01:30 BST."""
    walls = [timezone.localtime(s.start, tz).strftime("%H:%M") if s else "" for s in slots]
    repeated = {w for w in walls if w and walls.count(w) > 1}
    return [
        f"{w} {timezone.localtime(s.start, tz).tzname()}" if w in repeated else w
        for w, s in zip(walls, slots, strict=True)
    ]


def _covers(spans: Iterable[Span], start: datetime, end: datetime) -> bool:
    return any(s <= start and end <= e for s, e in spans)


# --- the grid ----------------------------------------------------------------------------------


def fill_column(column: Column) -> list[Cell | None]:
    """The column's cells, one per row: a Cell where it starts, None where a rowspan covers the row."""
    slots = column.slots
    n = len(slots)
    cells: list[Cell | None] = [None] * n
    taken = [False] * n

    for appointment in sorted(column.appointments, key=lambda a: a.start):
        first = next(
            (r for r in range(n) if slots[r] and not taken[r] and slots[r].end > appointment.start),
            None,
        )
        if first is None or slots[first].start >= appointment.end:
            continue  # entirely outside the rows shown (cannot happen in the day view)
        last = first
        while (
            last + 1 < n
            and not taken[last + 1]
            and (slots[last + 1] is None or slots[last + 1].start < appointment.end)
        ):
            last += 1
        while last > first and slots[last] is None:
            last -= 1
        cells[first] = Cell(
            APPOINTMENT, rowspan=last - first + 1, slot=slots[first], appointment=appointment, column=column
        )
        for r in range(first, last + 1):
            taken[r] = True

    kinds: list[tuple[str, str] | None] = [None] * n
    for r, slot in enumerate(slots):
        if taken[r]:
            continue
        kinds[r] = _classify(column, slot)

    r = 0
    while r < n:
        if taken[r]:
            r += 1
            continue
        kind, label = kinds[r]
        if kind == FREE:
            cells[r] = Cell(FREE, slot=slots[r], column=column)
            r += 1
            continue
        end = r + 1
        while end < n and not taken[end] and kinds[end] == (kind, label):
            end += 1
        cells[r] = Cell(kind, rowspan=end - r, label=label, slot=slots[r], column=column)
        r = end
    column.cells = cells
    return cells


def _classify(column: Column, slot: Slot | None) -> tuple[str, str]:
    if slot is None:
        return GAP, LABELS[GAP]
    if column.closed is not None:
        return CLOSED, f"{LABELS[CLOSED]}: {column.closed}" if column.closed else LABELS[CLOSED]
    for s, e, reason in column.absences:
        if s < slot.end and e > slot.start:
            return ABSENT, f"{LABELS[ABSENT]}: {reason}" if reason else LABELS[ABSENT]
    for appointment in column.appointments:
        held_until = getattr(appointment, "blocked_until", appointment.end)
        if held_until > appointment.end and slot.end > appointment.end and slot.start < held_until:
            return BUFFER, LABELS[BUFFER]
    if _covers(column.working, slot.start, slot.end):
        return FREE, ""
    return OFF, LABELS[OFF]


def build_grid(columns: list[Column], labels: Sequence[str], *, now: datetime | None = None) -> Grid:
    """Rows of cells for an HTML table; `now` marks the row it falls in (the "now" line)."""
    for column in columns:
        fill_column(column)
    slots = columns[0].slots if columns else []
    rows = []
    for r, label in enumerate(labels):
        slot = slots[r] if r < len(slots) else None
        rows.append(
            Row(
                index=r,
                label=label,
                slot=slot,
                cells=[c.cells[r] for c in columns if c.cells[r] is not None],
                is_now=bool(now and slot and slot.start <= now < slot.end),
                on_the_hour=label.endswith(":00") or ":00 " in label,
            )
        )
    return Grid(columns=columns, rows=rows)


# --- loading from the database ----------------------------------------------------------------


@dataclass
class DayDiary:
    day: date
    grid: Grid
    not_in_grid: list  # cancelled and no-show appointments of the day, kept in its history
    closure: object | None


def _day_columns_and_spans(day, therapists, hours, absences, closure, appointments, tz):
    """Columns for a day view (before slots are known) and every span the rows must cover."""
    ranges = defaultdict(list)
    for therapist_id, start, end in hours:
        ranges[therapist_id].append((range_boundary(day, start, tz), range_boundary(day, end, tz)))
    holding = defaultdict(list)
    for appointment in appointments:
        if appointment.holds_time:
            holding[appointment.therapist_id].append(appointment)
    columns, spans = [], []
    for therapist in therapists:
        if not holding[therapist.pk] and not (therapist.active and ranges[therapist.pk]):
            continue
        spans += ranges[therapist.pk]
        spans += [(a.start, a.end) for a in holding[therapist.pk]]
        columns.append(
            Column(
                key=therapist.pk,
                label=therapist.name,
                slots=[],
                working=sorted(ranges[therapist.pk]),
                absences=[(s, e, r) for t, s, e, r in absences if t == therapist.pk],
                closed=(closure.reason or "") if closure else None,
                appointments=holding[therapist.pk],
                therapist=therapist,
                day=day,
            )
        )
    return columns, spans


def build_day(day, *, therapists, hours, absences, closure, appointments, tz, now=None) -> DayDiary:
    """The day grid from plain values (pure): `hours` are (therapist_id, start, end) wall times of
    that weekday, `absences` (therapist_id, starts_at, ends_at, reason), `appointments` all of the
    day's appointments in any status."""
    columns, spans = _day_columns_and_spans(day, therapists, hours, absences, closure, appointments, tz)
    slots = day_slots(day, spans, tz)
    for column in columns:
        column.slots = slots
    grid = build_grid(columns, slot_labels(slots, tz), now=now)
    not_in_grid = [a for a in appointments if not a.holds_time]
    return DayDiary(day=day, grid=grid, not_in_grid=sorted(not_in_grid, key=lambda a: a.start), closure=closure)


def load_day(day: date, *, only_therapist_user=None, now: datetime | None = None) -> DayDiary:
    """The day's diary in five queries: therapists, hours, absences, closure, appointments.

    `only_therapist_user` limits it to the therapist linked to that login (the Therapist role).
    """
    tz = timezone.get_current_timezone()
    day_start, day_end = local_day_bounds(day)
    therapists = Therapist.objects.all()
    if only_therapist_user is not None:
        therapists = therapists.filter(user=only_therapist_user)
    therapists = list(therapists)
    ids = [t.pk for t in therapists]
    hours = list(
        WorkingHours.objects.filter(therapist_id__in=ids, weekday=day.weekday()).values_list(
            "therapist_id", "start", "end"
        )
    )
    absences = list(
        Absence.objects.filter(therapist_id__in=ids, starts_at__lt=day_end, ends_at__gt=day_start).values_list(
            "therapist_id", "starts_at", "ends_at", "reason"
        )
    )
    closure = Closure.objects.filter(start_date__lte=day, end_date__gte=day).first()
    appointments = list(
        Appointment.objects.filter(therapist_id__in=ids)
        .filter(Q(start__lt=day_end) & Q(end__gt=day_start))
        .select_related("patient", "therapist", "length__treatment")
        .order_by("start")
    )
    return build_day(
        day,
        therapists=therapists,
        hours=hours,
        absences=absences,
        closure=closure,
        appointments=appointments,
        tz=tz,
        now=now or timezone.now(),
    )


def week_slots(days: Sequence[date], walls: Iterable[tuple[time, time]], tz: tzinfo):
    """Wall-clock rows shared by the week's days; per day, each row's slot (None if skipped)."""
    walls = list(walls)
    if not walls:
        return [], {}
    first = min(s for s, _ in walls)
    last = max(e for _, e in walls)
    minute = (first.hour * 60 + first.minute) // 15 * 15
    end_minute = min(-(-(last.hour * 60 + last.minute) // 15) * 15, 24 * 60)
    row_walls = [time(m // 60, m % 60) for m in range(minute, end_minute, 15)]
    per_day = {}
    for day in days:
        slots = []
        for wall in row_walls:
            instant = existing_instant(day, wall, tz)
            slots.append(Slot(instant, instant + STEP) if instant else None)
        per_day[day] = slots
    return [w.strftime("%H:%M") for w in row_walls], per_day


def build_week(days, *, therapist, hours, absences, closures, appointments, tz, now=None) -> tuple[Grid, list]:
    """One therapist's week (pure): `hours` (weekday, start, end), `closures` {day: reason}."""
    ranges = defaultdict(list)
    for weekday, start, end in hours:
        ranges[weekday].append((start, end))
    holding = defaultdict(list)
    walls = [w for per_day in ranges.values() for w in per_day]
    for appointment in appointments:
        if appointment.holds_time:
            local_start = timezone.localtime(appointment.start, tz)
            local_end = timezone.localtime(appointment.end, tz)
            holding[local_start.date()].append(appointment)
            end_wall = local_end.time() if local_end.date() == local_start.date() else time(23, 59)
            walls.append((local_start.time(), end_wall))
    labels, per_day = week_slots(days, walls, tz)
    columns = []
    for day in days:
        columns.append(
            Column(
                key=day,
                label=day.strftime("%a %-d %b"),
                slots=per_day.get(day, []),
                working=[(range_boundary(day, s, tz), range_boundary(day, e, tz)) for s, e in ranges[day.weekday()]],
                absences=[(s, e, r) for s, e, r in absences],
                closed=closures.get(day),
                appointments=holding[day],
                therapist=therapist,
                day=day,
            )
        )
    grid = build_grid(columns, labels)
    if now is not None:
        for column in columns:
            for cell in column.cells:
                if cell and cell.slot and cell.kind == FREE and cell.slot.start <= now < cell.slot.end:
                    cell.label = "Now"
    not_in_grid = sorted((a for a in appointments if not a.holds_time), key=lambda a: a.start)
    return grid, not_in_grid


def load_week(therapist: Therapist, first_day: date, *, now: datetime | None = None) -> tuple[Grid, list]:
    """One therapist's seven days from `first_day`, in four queries."""
    tz = timezone.get_current_timezone()
    days = [first_day + timedelta(days=i) for i in range(7)]
    window_start, _ = local_day_bounds(days[0])
    _, window_end = local_day_bounds(days[-1])
    hours = list(WorkingHours.objects.filter(therapist=therapist).values_list("weekday", "start", "end"))
    absences = list(
        Absence.objects.filter(therapist=therapist, starts_at__lt=window_end, ends_at__gt=window_start).values_list(
            "starts_at", "ends_at", "reason"
        )
    )
    closures = {}
    for closure in Closure.objects.filter(start_date__lte=days[-1], end_date__gte=days[0]):
        for day in days:
            if closure.covers(day):
                closures[day] = closure.reason or ""
    appointments = list(
        Appointment.objects.filter(therapist=therapist, start__lt=window_end, end__gt=window_start)
        .select_related("patient", "therapist", "length__treatment")
        .order_by("start")
    )
    return build_week(
        days,
        therapist=therapist,
        hours=hours,
        absences=absences,
        closures=closures,
        appointments=appointments,
        tz=tz,
        now=now or timezone.now(),
    )
