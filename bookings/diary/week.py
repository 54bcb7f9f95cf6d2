"""The week view: one therapist's Monday to Sunday, rows shared by the seven days' wall clock."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date, datetime, time, timedelta, tzinfo

from django.utils import timezone

from therapists.models import Absence, Closure, Therapist, WorkingHours

from ..availability import range_boundary
from ..models import Appointment, local_day_bounds
from .grid import FREE, STEP, Column, Grid, Slot, build_grid, existing_instant


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
