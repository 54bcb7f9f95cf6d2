"""The week view: one therapist's Monday to Sunday, rows shared by the seven days' wall clock."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date, datetime, time, timedelta, tzinfo

from django.utils import timezone

from therapists.models import Absence, Closure, Therapist, WorkingHours

from ..availability import range_boundary
from ..models import Appointment, local_day_bounds
from .blocks import Block, Links, Viewer, appointment_rows, make_blocks
from .day import admin_links
from .grid import FREE, STEP, Column, Grid, Slot, build_grid, dress, existing_instant


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


def build_week(
    days, *, therapist, hours, absences, closures, appointments, tz, now=None, links: Links | None = None
) -> tuple[Grid, list[Block]]:
    """One therapist's week (pure): `hours` (weekday, start, end), `closures` {day: reason},
    `appointments` the week's blocks in any status (`blocks.make_blocks`)."""
    links = links or Links()
    ranges = defaultdict(list)
    for weekday, start, end in hours:
        ranges[weekday].append((start, end))
    holding = defaultdict(list)
    walls = [w for per_day in ranges.values() for w in per_day]
    for block in appointments:
        if block.holds_time:
            local_start = block.start.astimezone(tz)
            local_end = block.end.astimezone(tz)
            holding[local_start.date()].append(block)
            end_wall = local_end.time() if local_end.date() == local_start.date() else time(23, 59)
            walls.append((local_start.time(), end_wall))
    labels, per_day = week_slots(days, walls, tz)
    columns = []
    for day in days:
        columns.append(
            Column(
                key=day,
                label=f"{day:%a} {day.day} {day:%b}",
                slots=per_day.get(day, []),
                working=[(range_boundary(day, s, tz), range_boundary(day, e, tz)) for s, e in ranges[day.weekday()]],
                absences=[(s, e, r) for s, e, r in absences],
                closed=closures.get(day),
                appointments=holding[day],
                therapist=therapist,
                day=day,
                url=f"{links.day}?date={day.isoformat()}" if links.day else "",
            )
        )
    grid = build_grid(columns, labels)
    for row in grid.rows:
        # A week row is a wall time on seven days, not one instant: no "now" line to move.
        row.start_ts = row.end_ts = ""
    if now is not None:
        for column in columns:
            for cell in column.cells:
                if cell and cell.slot and cell.kind == FREE and cell.slot.start <= now < cell.slot.end:
                    cell.label = "Now"

    def free_cell(column, row):
        # A week row is a wall time, which exists on this day (a skipped one is a gap, not free).
        url = f"{links.add}?therapist={therapist.pk}&start={column.day.isoformat()}T{row.label}" if links.add else ""
        return url, f"Book {therapist.name} at {row.label} on {column.label}"

    dress(grid, free_cell)
    not_in_grid = sorted((b for b in appointments if not b.holds_time), key=lambda b: b.start)
    return grid, not_in_grid


def load_week(
    therapist: Therapist, first_day: date, *, now: datetime | None = None, viewer: Viewer | None = None
) -> tuple[Grid, list[Block]]:
    """One therapist's seven days from `first_day`, in four queries."""
    viewer = viewer or Viewer()
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
    for start_date, end_date, reason in Closure.objects.filter(
        start_date__lte=days[-1], end_date__gte=days[0]
    ).values_list("start_date", "end_date", "reason"):
        for day in days:
            if start_date <= day <= end_date:
                closures[day] = reason or ""
    rows = appointment_rows(
        Appointment.objects.filter(therapist=therapist, start__lt=window_end, end__gt=window_start).order_by("start"),
        viewer=viewer,
    )
    links = admin_links(viewer)
    blocks = make_blocks(rows, tz=tz, links=links, viewer=viewer, therapist_names={therapist.pk: therapist.name})
    return build_week(
        days,
        therapist=therapist,
        hours=hours,
        absences=absences,
        closures=closures,
        appointments=blocks,
        tz=tz,
        now=now or timezone.now(),
        links=links,
    )
