"""The day view: a column per therapist working that day, loaded in a fixed number of queries."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Q
from django.utils import timezone

from therapists.models import Absence, Closure, Therapist, WorkingHours

from ..availability import range_boundary
from ..models import Appointment, local_day_bounds
from .grid import Column, Grid, build_grid, day_slots, slot_labels


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
