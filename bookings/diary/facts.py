"""What reception needs to know about an appointment besides its time, for the diary's blocks and
the day sheet: the patient's first visit, "session 2 of 6", how the confirmation text fared, and
the patient's other appointments that day (overlapping ones flagged).

Loaded for any set of appointments in at most four queries, whatever their number.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.contrib.contenttypes.models import ContentType
from django.db.models import Min, Q
from django.utils import timezone

from clinic.sms.models import Message

from ..course_texts import CourseKind
from ..courses import session_label, session_numbers
from ..models import Appointment, Course
from ..notifications import Kind

# The texts that tell the patient when to come; the latest one is the one that matters.
CONFIRMING_KINDS = (Kind.BOOKING_CONFIRMATION, Kind.TIME_CHANGE, CourseKind.COURSE_BOOKED)
FAILED = {Message.Status.FAILED, Message.Status.UNDELIVERED}

# The latest confirming text's status, in words reception can act on ("" when none was sent).
TEXT_LABELS = {
    Message.Status.PENDING: ("queued", "Text queued"),
    Message.Status.SENDING: ("queued", "Text queued"),
    Message.Status.SENT: ("sent", "Text sent"),
    Message.Status.DELIVERED: ("delivered", "Text delivered"),
    Message.Status.FAILED: ("failed", "Text failed"),
    Message.Status.UNDELIVERED: ("failed", "Text not delivered"),
    Message.Status.UNKNOWN: ("unknown", "Text may not have gone"),
}


@dataclass(frozen=True)
class OtherVisit:
    """Another appointment the same patient holds around this one."""

    start: datetime
    end: datetime
    therapist_name: str
    overlaps: bool

    @property
    def text(self) -> str:
        local = timezone.localtime(self.start)
        verb = "Overlaps" if self.overlaps else "Also"
        return f"{verb}: {local:%H:%M}–{timezone.localtime(self.end):%H:%M} with {self.therapist_name}"


@dataclass
class Facts:
    first_visit: bool = False
    session: str = ""  # "session 2 of 6"
    text_state: str = ""  # queued / sent / delivered / failed / unknown, or "" for no text
    text_label: str = ""
    reminder_failed: bool = False
    others: list[OtherVisit] = field(default_factory=list)

    @property
    def overlapping(self) -> bool:
        return any(other.overlaps for other in self.others)

    def badges(self) -> list[tuple[str, str]]:
        """(kind, words) for everything worth a glance, the ones to act on first. Words, not
        colour alone: the kind only styles them."""
        out = [("warning", other.text) for other in self.others if other.overlaps]
        if self.text_state in ("failed", "unknown"):
            out.append(("warning", self.text_label))
        if self.reminder_failed:
            out.append(("warning", "Reminder failed"))
        if self.first_visit:
            out.append(("info", "First visit"))
        if self.session:
            out.append(("info", self.session.capitalize()))
        out += [("info", other.text) for other in self.others if not other.overlaps]
        return out

    @property
    def needs_attention(self) -> bool:
        """Something reception should act on: a text that did not arrive, or a double booking."""
        return self.text_state in ("failed", "unknown") or self.reminder_failed or self.overlapping


def load_facts(appointments) -> dict[int, Facts]:
    """{appointment id: Facts} for `appointments` (any statuses), in at most four queries."""
    appointments = list(appointments)
    if not appointments:
        return {}
    facts = {a.pk: Facts() for a in appointments}
    _first_visits(appointments, facts)
    numbers = session_numbers(appointments)
    for a in appointments:
        facts[a.pk].session = session_label(numbers, a.pk)
    _texts(appointments, facts)
    _others(appointments, facts)
    return facts


def _first_visits(appointments, facts) -> None:
    """A first visit is the patient's earliest appointment that was not cancelled or missed."""
    counted = Appointment.objects.exclude(status__in=[Appointment.Status.CANCELLED, Appointment.Status.NO_SHOW])
    firsts = dict(
        counted.filter(patient_id__in={a.patient_id for a in appointments})
        .values("patient_id")
        .annotate(first=Min("start"))
        .values_list("patient_id", "first")
    )
    for a in appointments:
        facts[a.pk].first_visit = firsts.get(a.patient_id) == a.start and a.status != Appointment.Status.NO_SHOW


def _texts(appointments, facts) -> None:
    appointment_type = ContentType.objects.get_for_model(Appointment)
    course_type = ContentType.objects.get_for_model(Course)
    course_ids = {a.course_id for a in appointments if a.course_id}
    about = Q(about_type=appointment_type, about_id__in=[a.pk for a in appointments])
    if course_ids:
        about |= Q(about_type=course_type, about_id__in=course_ids, kind=CourseKind.COURSE_BOOKED)
    latest, reminder = {}, {}
    rows = (
        Message.objects.filter(about)
        .exclude(status=Message.Status.CANCELLED)
        .order_by("pk")
        .values_list("about_type_id", "about_id", "kind", "status")
    )
    for type_id, about_id, kind, status in rows:
        key = ("course" if type_id == course_type.pk else "appointment", about_id)
        if kind in CONFIRMING_KINDS:
            latest[key] = status
        elif kind == Kind.REMINDER:
            reminder[about_id] = status
    for a in appointments:
        # A session's own notice (a move) is newer than its course's text; else the course's.
        status = latest.get(("appointment", a.pk)) or latest.get(("course", a.course_id))
        if status in TEXT_LABELS:
            facts[a.pk].text_state, facts[a.pk].text_label = TEXT_LABELS[status]
        facts[a.pk].reminder_failed = reminder.get(a.pk) in FAILED


def _others(appointments, facts) -> None:
    """The patients' other time-holding appointments on the same local days, or overlapping."""
    earliest = min(timezone.localtime(a.start).replace(hour=0, minute=0, second=0, microsecond=0) for a in appointments)
    latest = max(a.end for a in appointments) + timedelta(days=1)
    held = defaultdict(list)
    for other in (
        Appointment.objects.holding_time()
        .filter(patient_id__in={a.patient_id for a in appointments}, start__lt=latest, end__gt=earliest)
        .select_related("therapist")
        .order_by("start")
    ):
        held[other.patient_id].append(other)
    for a in appointments:
        day = timezone.localtime(a.start).date()
        for other in held[a.patient_id]:
            if other.pk == a.pk:
                continue
            overlaps = other.start < a.end and other.end > a.start
            if overlaps or timezone.localtime(other.start).date() == day:
                facts[a.pk].others.append(OtherVisit(other.start, other.end, other.therapist.name, overlaps))
