"""The printable day sheet: one page per therapist working that day (or with appointments), each
appointment with its time, patient, mobile, length and what to know (first visit, course session,
a text that failed, the patient's other appointments that day, a note). Reads only, in a fixed
number of queries whatever the number of therapists or appointments.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.utils import timezone

from therapists.models import Absence, Closure, Therapist, WorkingHours

from ..models import Appointment, local_day_bounds
from .facts import Facts, facts_of, load_texts_and_others, with_facts


@dataclass
class SheetRow:
    appointment: Appointment
    facts: Facts

    @property
    def badges(self):
        return self.facts.badges()


@dataclass
class SheetPage:
    therapist: Therapist
    hours: str  # "09:00–13:00, 14:00–17:00", or "" when not working that day
    away: list[str] = field(default_factory=list)  # "Away 14:00–17:00: training"
    rows: list[SheetRow] = field(default_factory=list)


def load_day_sheet(day: date, *, only_therapist_user=None) -> tuple[list[SheetPage], Closure | None]:
    """The day's pages (therapists in diary order) and the clinic's closure that day, if any."""
    day_start, day_end = local_day_bounds(day)
    therapists = Therapist.objects.all()
    if only_therapist_user is not None:
        therapists = therapists.filter(user=only_therapist_user)
    therapists = list(therapists)
    ids = [t.pk for t in therapists]
    hours = defaultdict(list)
    for therapist_id, start, end in (
        WorkingHours.objects.filter(therapist_id__in=ids, weekday=day.weekday())
        .order_by("start")
        .values_list("therapist_id", "start", "end")
    ):
        hours[therapist_id].append(f"{start:%H:%M}–{end:%H:%M}")
    away = defaultdict(list)
    for absence in Absence.objects.filter(therapist_id__in=ids, starts_at__lt=day_end, ends_at__gt=day_start):
        start, end = max(absence.starts_at, day_start), min(absence.ends_at, day_end)
        text = f"Away {timezone.localtime(start):%H:%M}–{timezone.localtime(end):%H:%M}"
        away[absence.therapist_id].append(f"{text}: {absence.reason}" if absence.reason else text)
    closure = Closure.objects.filter(start_date__lte=day, end_date__gte=day).first()
    appointments = list(
        with_facts(
            Appointment.objects.holding_time()
            .filter(therapist_id__in=ids, start__gte=day_start, start__lt=day_end)
            .select_related("patient", "length__treatment", "therapist")
            .order_by("start")
        )
    )
    seen = load_texts_and_others(appointments)
    per_therapist = defaultdict(list)
    for appointment in appointments:
        per_therapist[appointment.therapist_id].append(
            SheetRow(appointment, facts_of(appointment, seen[appointment.pk]))
        )
    return [
        SheetPage(therapist=t, hours=", ".join(hours[t.pk]), away=away[t.pk], rows=per_therapist[t.pk])
        for t in therapists
        if per_therapist[t.pk] or (t.active and hours[t.pk])
    ], closure
