"""The day view: a column per therapist working that day, loaded in a fixed number of queries
(one for the appointments, plus the block extensions' one, when the day's set-up is cached)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from ..availability import range_boundary
from ..models import Appointment, local_day_bounds
from .blocks import Block, Links, Viewer, appointment_rows, make_blocks
from .grid import Column, Grid, build_grid, day_slots, dress, slot_labels
from .live import day_token, token_of
from .setup import day_setup


@dataclass
class DayDiary:
    day: date
    grid: Grid
    not_in_grid: list[Block]  # cancelled and no-show appointments of the day, kept in its history
    closure: object | None  # something with a `reason` (setup.ClosedDay), or None when open
    token: str = ""  # the live diary's token for what this page shows (live.py)


def admin_links(viewer: Viewer) -> Links:
    """The admin's addresses for the diary's links, reversed once per page."""
    change = reverse("admin:bookings_appointment_change", args=[0]).replace("/0/", "/{pk}/")
    return Links(
        add=reverse("admin:bookings_appointment_add") if viewer.can_book else "",
        change=change,
        day=reverse("admin:bookings_diary"),
        week=reverse("admin:bookings_diary_week"),
    )


def _day_columns_and_spans(day, therapists, hours, absences, closure, blocks, tz, links):
    """Columns for a day view (before slots are known) and every span the rows must cover."""
    ranges = defaultdict(list)
    for therapist_id, start, end in hours:
        ranges[therapist_id].append((range_boundary(day, start, tz), range_boundary(day, end, tz)))
    holding = defaultdict(list)
    for block in blocks:
        if block.holds_time:
            holding[block.therapist_id].append(block)
    columns, spans = [], []
    for therapist in therapists:
        if not holding[therapist.pk] and not (therapist.active and ranges[therapist.pk]):
            continue
        spans += ranges[therapist.pk]
        spans += [(b.start, b.end) for b in holding[therapist.pk]]
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
                url=f"{links.week}?therapist={therapist.pk}&date={day.isoformat()}" if links.week else "",
            )
        )
    return columns, spans


def build_day(
    day, *, therapists, hours, absences, closure, appointments, tz, now=None, links: Links | None = None
) -> DayDiary:
    """The day grid from plain values (pure): `hours` are (therapist_id, start, end) wall times of
    that weekday, `absences` (therapist_id, starts_at, ends_at, reason), `appointments` the day's
    blocks in any status (`blocks.make_blocks`)."""
    links = links or Links()
    columns, spans = _day_columns_and_spans(day, therapists, hours, absences, closure, appointments, tz, links)
    slots = day_slots(day, spans, tz)
    for column in columns:
        column.slots = slots
    labels = slot_labels(slots, tz)
    grid = build_grid(columns, labels, now=now)
    # Per row, once: the wall time a free cell books and says.
    walls = [
        (s.start.astimezone(tz).strftime("%Y-%m-%dT%H:%M"), s.start.astimezone(tz).strftime("%H:%M")) for s in slots
    ]

    def free_cell(column, row):
        iso, hh_mm = walls[row.index]
        url = f"{links.add}?therapist={column.key}&start={iso}" if links.add else ""
        return url, f"Book {column.label} at {hh_mm}"

    dress(grid, free_cell)
    not_in_grid = [b for b in appointments if not b.holds_time]
    return DayDiary(day=day, grid=grid, not_in_grid=sorted(not_in_grid, key=lambda b: b.start), closure=closure)


def load_day(
    day: date, *, only_therapist_user=None, now: datetime | None = None, viewer: Viewer | None = None
) -> DayDiary:
    """The day's diary: the set-up (therapists, hours, absences, closure) from the shared cache
    (three queries when it is not there: `setup.py`), then the appointments in one query, plus
    whatever the registered block extensions read for the whole page (reception's details: one).

    `only_therapist_user` limits it to the therapist linked to that login (the Therapist role);
    `viewer` says whether free cells link to booking and whether notes show (neither by default).
    The diary carries its live token (`live.py`), made from the rows it read.
    """
    viewer = viewer or Viewer()
    tz = timezone.get_current_timezone()
    day_start, day_end = local_day_bounds(day)
    setup = day_setup(day, only_therapist_user=only_therapist_user)
    ids = [t.pk for t in setup.therapists]
    rows = appointment_rows(
        Appointment.objects.filter(therapist_id__in=ids)
        .filter(Q(start__lt=day_end) & Q(end__gt=day_start))
        .order_by("start"),
        viewer=viewer,
    )
    links = admin_links(viewer)
    blocks = make_blocks(
        rows,
        tz=tz,
        links=links,
        viewer=viewer,
        therapist_names={t.pk: t.name for t in setup.therapists},
        whole_clinic=only_therapist_user is None,
        # After a write, most of the day's blocks are the same as at its last drawing.
        reuse=("day", day, only_therapist_user.pk if only_therapist_user is not None else None),
    )
    diary = build_day(
        day,
        therapists=setup.therapists,
        hours=setup.hours,
        absences=setup.absences,
        closure=setup.closure,
        appointments=blocks,
        tz=tz,
        now=now or timezone.now(),
        links=links,
    )
    diary.token = token_of(rows) or day_token(day, only_therapist_user=only_therapist_user)
    return diary
