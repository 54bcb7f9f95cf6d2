"""The managers' figures for a period, per therapist and for the whole clinic.

Read in a fixed number of queries (ten) whatever the period's length: the appointments are
aggregated by the database (grouped by therapist, status, source and length), the SMS segments
are counted in SQL, and working time is worked out in Python from the weekly hours, absences and
closures. What each figure means is written next to it here and in docs/reports.md.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from django.db.models import Case, Count, F, IntegerField, Min, Q, Sum, Value, When
from django.db.models.functions import Length, Replace
from django.db.models.lookups import LessThanOrEqual
from django.utils import timezone

from bookings.availability import range_boundary
from bookings.models import Appointment, TreatmentLength, local_day_bounds
from callbacks.call_times import opening_ranges, promised_by
from callbacks.models import CallbackRequest
from clinic.core.models import ClinicSettings
from clinic.sms import gsm
from clinic.sms.models import Message
from therapists.models import Absence, Closure, Therapist, WorkingHours

from .period import Period

Status = Appointment.Status
STATUSES = [Status.BOOKED, Status.ARRIVED, Status.COMPLETED, Status.NO_SHOW, Status.CANCELLED]
# Time taken out of the diary: what was booked, whether or not the patient came.
SOLD = {Status.BOOKED, Status.ARRIVED, Status.COMPLETED, Status.NO_SHOW}
# Revenue is what attended appointments were priced at.
ATTENDED = {Status.ARRIVED, Status.COMPLETED}


def _rate(part, whole) -> float | None:
    return part / whole if whole else None


@dataclass
class TherapistFigures:
    """One therapist's figures, or the clinic's (`name` "Whole clinic", `therapist_id` None)."""

    therapist_id: int | None
    name: str
    working_minutes: int = 0
    booked_minutes: int = 0
    by_status: dict[str, int] = field(default_factory=lambda: dict.fromkeys(STATUSES, 0))
    late_cancellations: int = 0
    revenue: Decimal = Decimal(0)

    @property
    def appointments(self) -> int:
        return sum(self.by_status.values())

    @property
    def due(self) -> int:
        """Appointments kept in the diary (not cancelled): the no-show rate's denominator."""
        return sum(n for status, n in self.by_status.items() if status in SOLD)

    @property
    def utilisation(self) -> float | None:
        """Booked minutes over working minutes (booked outside hours can take it past 100%)."""
        return _rate(self.booked_minutes, self.working_minutes)

    @property
    def no_show_rate(self) -> float | None:
        return _rate(self.by_status[Status.NO_SHOW], self.due)

    @property
    def late_cancellation_rate(self) -> float | None:
        """Cancellations inside the notice period, over every appointment in the period."""
        return _rate(self.late_cancellations, self.appointments)

    def add(self, other: TherapistFigures) -> None:
        self.working_minutes += other.working_minutes
        self.booked_minutes += other.booked_minutes
        for status, n in other.by_status.items():
            self.by_status[status] += n
        self.late_cancellations += other.late_cancellations
        self.revenue += other.revenue


@dataclass(frozen=True)
class RevenueRow:
    label: str  # "Soft tissue release massage, 30 min"
    attended: int
    revenue: Decimal


@dataclass
class CallbackFigures:
    """Callback requests asked in the period, by whether the first call came within the promise."""

    asked: int = 0
    in_time: int = 0
    late: int = 0
    not_called: int = 0  # closed, or past the promise, without a logged call
    waiting: int = 0  # still open and the promise has not run out

    @property
    def in_time_rate(self) -> float | None:
        return _rate(self.in_time, self.in_time + self.late + self.not_called)


@dataclass
class SmsFigures:
    by_status: dict[str, int] = field(default_factory=dict)
    segments: int = 0  # of the texts handed to Twilio, whatever happened to them after

    def count(self, *statuses) -> int:
        return sum(self.by_status.get(s, 0) for s in statuses)

    @property
    def sent(self) -> int:
        return self.count(Message.Status.SENT, Message.Status.DELIVERED)

    @property
    def delivered(self) -> int:
        return self.count(Message.Status.DELIVERED)

    @property
    def failed(self) -> int:
        return self.count(Message.Status.FAILED, Message.Status.UNDELIVERED)

    @property
    def unknown(self) -> int:
        return self.count(Message.Status.UNKNOWN)

    @property
    def waiting(self) -> int:
        return self.count(Message.Status.PENDING, Message.Status.SENDING)


@dataclass
class Report:
    period: Period
    therapists: list[TherapistFigures]
    clinic: TherapistFigures
    revenue: list[RevenueRow]
    sources: dict[str, int]
    callbacks: CallbackFigures
    sms: SmsFigures
    notice_hours: int


def build_report(period: Period, *, now: datetime | None = None) -> Report:
    """Every figure for `period`, in nine queries whatever its length (the clinic settings come from the cache)."""
    now = now or timezone.now()
    start, end = period.bounds
    notice_hours = ClinicSettings.load().cancellation_notice_hours
    rows = list(
        Appointment.objects.filter(start__gte=start, start__lt=end)
        .values("therapist_id", "status", "source", "length_id")
        .annotate(
            n=Count("id"),
            minutes=Sum("length__minutes"),
            revenue=Sum("price"),
            late=Count(
                "id",
                filter=Q(status=Status.CANCELLED, cancelled_at__gt=F("start") - timedelta(hours=notice_hours)),
            ),
        )
        .order_by()
    )
    booked_therapists = {r["therapist_id"] for r in rows}
    therapists = [t for t in Therapist.objects.all() if t.active or t.pk in booked_therapists]
    per = {t.pk: TherapistFigures(t.pk, t.name) for t in therapists}
    for therapist_id, minutes in _working_minutes(period, [t.pk for t in therapists]).items():
        per[therapist_id].working_minutes = minutes
    revenue_by_length: dict[int, list] = defaultdict(lambda: [0, Decimal(0)])
    sources = dict.fromkeys(Appointment.Source.values, 0)
    for r in rows:
        figures = per[r["therapist_id"]]
        figures.by_status[r["status"]] += r["n"]
        figures.late_cancellations += r["late"]
        sources[r["source"]] += r["n"]
        if r["status"] in SOLD:
            figures.booked_minutes += r["minutes"] or 0
        if r["status"] in ATTENDED:
            figures.revenue += r["revenue"] or 0
            revenue_by_length[r["length_id"]][0] += r["n"]
            revenue_by_length[r["length_id"]][1] += r["revenue"] or 0
    clinic = TherapistFigures(None, "Whole clinic")
    for figures in per.values():
        clinic.add(figures)
    return Report(
        period=period,
        therapists=list(per.values()),
        clinic=clinic,
        revenue=_revenue_rows(revenue_by_length),
        sources=sources,
        callbacks=_callbacks(start, end, now),
        sms=_sms(start, end),
        notice_hours=notice_hours,
    )


def _revenue_rows(by_length) -> list[RevenueRow]:
    lengths = TreatmentLength.objects.select_related("treatment").order_by("treatment__display_order", "minutes")
    return [
        RevenueRow(f"{length.treatment.name}, {length.minutes} min", *by_length[length.pk])
        for length in lengths
        if length.pk in by_length
    ]


def _working_minutes(period: Period, therapist_ids) -> dict[int, int]:
    """Working minutes per therapist over the period: weekly hours on each day, less closed days
    and absences. Wall-clock minutes, except on clock-change days, where the real ones."""
    weekly = defaultdict(lambda: defaultdict(list))
    for therapist_id, weekday, s, e in WorkingHours.objects.filter(therapist_id__in=therapist_ids).values_list(
        "therapist_id", "weekday", "start", "end"
    ):
        weekly[therapist_id][weekday].append((s, e))
    start, end = period.bounds
    absences = defaultdict(list)
    for therapist_id, s, e in Absence.objects.filter(
        therapist_id__in=therapist_ids, starts_at__lt=end, ends_at__gt=start
    ).values_list("therapist_id", "starts_at", "ends_at"):
        absences[therapist_id].append((s, e))
    closed = set()
    for first, last in Closure.objects.filter(start_date__lte=period.last, end_date__gte=period.first).values_list(
        "start_date", "end_date"
    ):
        closed.update(d for d in period.days if first <= d <= last)
    tz = timezone.get_current_timezone()
    changes = {d for d in period.days if _is_clock_change(d)}
    totals = {}
    for therapist_id in therapist_ids:
        total = 0
        for day in period.days:
            if day in closed:
                continue
            for s, e in weekly[therapist_id].get(day.weekday(), ()):
                if day in changes or absences[therapist_id]:
                    lo, hi = range_boundary(day, s, tz), range_boundary(day, e, tz)  # UTC: real minutes
                    minutes = (hi - lo) / timedelta(minutes=1)
                    for a_start, a_end in absences[therapist_id]:
                        overlap = min(hi, a_end) - max(lo, a_start)
                        if overlap > timedelta(0):
                            minutes -= overlap / timedelta(minutes=1)
                else:
                    minutes = (e.hour * 60 + e.minute) - (s.hour * 60 + s.minute)
                total += minutes
        totals[therapist_id] = round(total)
    return totals


def _is_clock_change(day: date) -> bool:
    start, end = local_day_bounds(day)
    # In UTC: Python subtracts two datetimes of the same zone by their wall clocks.
    return end.astimezone(UTC) - start.astimezone(UTC) != timedelta(days=1)


def _callbacks(start: datetime, end: datetime, now: datetime) -> CallbackFigures:
    ranges = opening_ranges()
    figures = CallbackFigures()
    rows = (
        CallbackRequest.objects.filter(created_at__gte=start, created_at__lt=end)
        .annotate(first_call=Min("attempts__at"))
        .values_list("when", "preferred_day", "preferred_period", "created_at", "status", "first_call")
    )
    for when, day, part, asked_at, status, first_call in rows:
        figures.asked += 1
        deadline = promised_by(when=when, preferred_day=day, preferred_period=part, asked_at=asked_at, ranges=ranges)
        if first_call is not None:
            if first_call <= deadline:
                figures.in_time += 1
            else:
                figures.late += 1
        elif status in CallbackRequest.Status.open_statuses() and deadline > now:
            figures.waiting += 1
        else:
            figures.not_called += 1
    return figures


EXTENSION_CLASS = "[" + "".join(re.escape(char) for char in sorted(gsm.EXTENSION)) + "]"


def _extension_characters(field: str):
    """How many characters of GSM-7's extension table (two septets each) a text holds, in SQL.

    Almost no text has any, so a quick pattern test comes first and only the rare text that has
    one is counted (by what removing each such character takes off its length).
    """
    counted = Value(0)
    for char in sorted(gsm.EXTENSION):
        counted = counted + Length(field) - Length(Replace(field, Value(char), Value("")))
    return Case(When(**{f"{field}__regex": EXTENSION_CLASS}, then=counted), default=Value(0))


def _segments():
    """A GSM-7 text's SMS segments in SQL: one up to 160 septets, else 153 a segment, where each
    character of GSM's extension table costs two septets (as `clinic.sms.gsm.segments`)."""
    septets = Length("body") + _extension_characters("body")
    return Case(
        When(LessThanOrEqual(septets, gsm.SINGLE_SEGMENT), then=Value(1)),
        default=(septets + (gsm.PER_SEGMENT - 1)) / gsm.PER_SEGMENT,
        output_field=IntegerField(),
    )


def _sms(start: datetime, end: datetime) -> SmsFigures:
    figures = SmsFigures()
    for row in (
        Message.objects.filter(created_at__gte=start, created_at__lt=end)
        .values("status")
        .annotate(n=Count("id"), segments=Sum(_segments(), filter=~Q(provider_id="")))
        .order_by()
    ):
        figures.by_status[row["status"]] = row["n"]
        figures.segments += row["segments"] or 0
    return figures
