"""What reception needs to know about an appointment besides its time, for the diary's blocks and
the day sheet: the patient's first visit, "session 2 of 6", how the confirmation text fared, a
reminder that failed, and the patient's other appointments that day (an overlapping one first).

The cheap facts are annotations of the query that reads the appointments (`annotations()`, for
`blocks.BlockExtension` and `with_facts`); the texts and the patient's other appointments are read
for all the rows in two more queries (`load_texts_and_others`). So the diary and the day sheet
cost the same few queries for them whatever the day's size; `facts_of` puts a row's together.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Case, Count, Exists, IntegerField, OuterRef, Q, Subquery, When
from django.utils import timezone

from clinic.sms.models import Message

from ..course_texts import CourseKind
from ..models import Appointment, local_day_bounds
from ..notifications import Kind
from .blocks import hh_mm

Status = Appointment.Status
HOLDING = frozenset(str(status) for status in Status.holding_time())
# The texts that tell the patient when to come; the latest one is the one that matters.
CONFIRMING_KINDS = [Kind.BOOKING_CONFIRMATION, Kind.TIME_CHANGE]
FAILED = [Message.Status.FAILED, Message.Status.UNDELIVERED]

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
    """Another appointment the same patient holds that day."""

    times: str  # "15:00–15:30", local
    therapist_name: str
    overlaps: bool
    more: int = 0  # how many further ones that day

    @property
    def text(self) -> str:
        verb = "Overlaps" if self.overlaps else "Also"
        more = f" and {self.more} more" if self.more else ""
        return f"{verb}: {self.times} with {self.therapist_name}{more}"


@dataclass(frozen=True)
class Facts:
    first_visit: bool = False
    session: str = ""  # "session 2 of 6"
    text_state: str = ""  # queued / sent / delivered / failed / unknown, or "" for no text
    text_label: str = ""
    reminder_failed: bool = False
    other: OtherVisit | None = None

    @property
    def overlapping(self) -> bool:
        return bool(self.other and self.other.overlaps)

    @property
    def needs_attention(self) -> bool:
        """Something reception should act on: a text that did not arrive, or a double booking."""
        return self.text_state in ("failed", "unknown") or self.reminder_failed or self.overlapping

    def badges(self) -> list[tuple[str, str]]:
        """(kind, words) for everything worth a glance, the ones to act on first. Words, not
        colour alone: the kind only styles them."""
        out = []
        if self.overlapping:
            out.append(("warning", self.other.text))
        if self.text_state in ("failed", "unknown"):
            out.append(("warning", self.text_label))
        if self.reminder_failed:
            out.append(("warning", "Reminder failed"))
        if self.first_visit:
            out.append(("info", "First visit"))
        if self.session:
            out.append(("info", self.session.capitalize()))
        if self.other and not self.other.overlaps:
            out.append(("info", self.other.text))
        return out


# --- the annotations --------------------------------------------------------------------------


def _course_sessions():
    return Appointment.objects.filter(course_id=OuterRef("course_id")).exclude(status=Status.CANCELLED).order_by()


def _count_in_course(queryset):
    """The course's sessions counted, only for an appointment in a course. Without the guard,
    SQLite's planner (once ANALYZE has seen a course_id column that is mostly empty) searched
    the start-time index for every appointment of the day instead: a 1,000-block diary's query
    went from 10 ms to 150 ms."""
    counted = Subquery(queryset.order_by().values("course_id").annotate(n=Count("pk")).values("n")[:1])
    return Case(When(course_id__isnull=False, then=counted), default=None, output_field=IntegerField())


def annotations() -> dict[str, Any]:
    """name -> a callable making a fresh expression (a query may use each expression once): the
    facts that cost one index probe per row. The texts and the patient's other appointments are
    read for all the rows at once instead (`load_texts_and_others`): as subqueries they made a
    1,000-block diary's query about seventy times slower."""
    return {
        "fact_first_visit": lambda: (
            ~Exists(
                Appointment.objects.filter(patient_id=OuterRef("patient_id"), start__lt=OuterRef("start")).exclude(
                    status__in=[Status.CANCELLED, Status.NO_SHOW]
                )
            )
        ),
        "fact_course_place": lambda: _count_in_course(_course_sessions().filter(start__lte=OuterRef("start"))),
        "fact_course_total": lambda: _count_in_course(_course_sessions()),
    }


@dataclass(frozen=True)
class Seen:
    """What `load_texts_and_others` found for one appointment."""

    text: str = ""  # the latest confirming text's status
    reminder_failed: bool = False
    other: OtherVisit | None = None
    # When any of the texts read for it last changed (the live diary's token: `live.py`).
    texts_changed: datetime | None = None


def _get(row, name):
    if isinstance(row, Mapping):
        return row[name]
    if name == "therapist__name":
        return row.therapist.name
    return getattr(row, name)


ROW_FIELDS = ("pk", "patient_id", "therapist_id", "course_id", "status", "start", "end", "therapist__name")


def texts_shown(appointments) -> Q:
    """The texts whose state the diary shows for `appointments` (a queryset): the confirming texts
    and reminders about them, and the "course booked" texts of their courses, unless cancelled.
    The live diary's token (`live.py`) watches the same texts, so it changes exactly when a
    block's text badge may."""
    about = Q(
        about_type__model="appointment",
        about_id__in=appointments.values("pk"),
        kind__in=[*CONFIRMING_KINDS, Kind.REMINDER],
    ) | Q(
        about_type__model="course",
        about_id__in=appointments.exclude(course_id=None).values("course_id"),
        kind=CourseKind.COURSE_BOOKED,
    )
    return about & Q(about_type__app_label="bookings") & ~Q(status=Message.Status.CANCELLED)


def load_texts_and_others(rows, *, others: bool = True) -> dict[int, Seen]:
    """{appointment id: Seen} for rows (`values()` dicts or appointments with pk, patient_id,
    therapist_id, course_id, status, start, end and therapist__name), in two queries whatever their
    number: the texts about them (and their courses), and the same patients' time-holding
    appointments with other therapists on those days.

    The rows must be every appointment of their therapists on their days (a diary page, a day
    sheet): the queries name them by therapists and days, not by a list of ids, so they stay cheap
    for a thousand blocks. `others=False` says the rows are every therapist's (the whole clinic's
    day): there is no other therapist to look for, and the second query is skipped.
    """
    # Plain dicts once (a thousand rows: per-field lookups through `_get` cost milliseconds).
    rows = [r if type(r) is dict else {name: _get(r, name) for name in ROW_FIELDS} for r in rows]
    if not rows:
        return {}
    tz = timezone.get_current_timezone()
    therapists = {r["therapist_id"] for r in rows}
    local_starts = {r["pk"]: r["start"].astimezone(tz) for r in rows}
    local_days = {pk: local.date() for pk, local in local_starts.items()}
    days = set(local_days.values())
    first, last = local_day_bounds(min(days))[0], local_day_bounds(max(days))[1]
    scope = Appointment.objects.filter(therapist_id__in=therapists, start__lt=last, end__gt=first)

    latest, reminders, changed = {}, {}, {}
    for model, about_id, kind, status, updated_at in (
        Message.objects.filter(texts_shown(scope))
        .order_by("pk")
        .values_list("about_type__model", "about_id", "kind", "status", "updated_at")
    ):
        if kind == Kind.REMINDER:
            reminders[about_id] = status
        else:
            latest[(model, about_id)] = status
        changed[(model, about_id)] = max(updated_at, changed.get((model, about_id), updated_at))

    # Each visit as a tuple (start, id, patient, end, therapist's name), its local day and its
    # times worked out once however many rows mention it.
    visits = [
        (r["start"], r["pk"], r["patient_id"], r["end"], r["therapist__name"]) for r in rows if r["status"] in HOLDING
    ]
    if others:
        visits += (
            Appointment.objects.filter(
                patient_id__in=scope.values("patient_id"), status__in=list(HOLDING), start__lt=last, end__gt=first
            )
            .exclude(therapist_id__in=therapists)
            .values_list("start", "pk", "patient_id", "end", "therapist__name")
        )
    held = defaultdict(list)
    for visit in sorted(visits):
        pk = visit[1]
        day = local_days.get(pk) or visit[0].astimezone(tz).date()
        held[visit[2]].append((visit, day))
    times = {}

    def times_of(visit) -> str:
        """'15:00–15:30', local."""
        pk = visit[1]
        if pk not in times:
            local_start = local_starts.get(pk) or visit[0].astimezone(tz)
            times[pk] = f"{hh_mm(local_start)}–{hh_mm(visit[3].astimezone(tz))}"
        return times[pk]

    # A thousand rows: the common answer (no text, no other visit) is one shared object.
    nothing = Seen()
    seen = {}
    for r in rows:
        pk, course = r["pk"], r["course_id"]
        day = local_days[pk]
        same_day = [visit for visit, on in held.get(r["patient_id"], ()) if on == day and visit[1] != pk]
        text = latest.get(("appointment", pk)) or latest.get(("course", course), "") if latest else ""
        reminder = reminders.get(pk) if reminders else None
        stamps = (
            [s for s in (changed.get(("appointment", pk)), changed.get(("course", course))) if s] if changed else ()
        )
        if not (same_day or text or reminder):
            seen[pk] = Seen(texts_changed=max(stamps)) if stamps else nothing
            continue
        start, end = r["start"], r["end"]
        overlapping = [visit for visit in same_day if visit[0] < end and visit[3] > start]
        mention = (overlapping or same_day or [None])[0]
        seen[pk] = Seen(
            text=text,
            reminder_failed=reminder in FAILED,
            texts_changed=max(stamps) if stamps else None,
            other=OtherVisit(times_of(mention), mention[4], bool(overlapping), len(same_day) - 1) if mention else None,
        )
    return seen


def with_facts(queryset):
    """`queryset` (of appointments) with every fact annotated, for `facts_of(appointment)`."""
    return queryset.annotate(**{name: make() for name, make in annotations().items()})


def facts_of(row: Mapping[str, Any] | Appointment, seen: Seen | None = None) -> Facts:
    """The facts from a `values()` row or an annotated appointment, with what
    `load_texts_and_others` found for it."""
    get = row.get if isinstance(row, Mapping) else lambda name, default=None: getattr(row, name, default)
    seen = seen or Seen()
    place, total = get("fact_course_place"), get("fact_course_total")
    holds = get("status") in HOLDING
    text_state, text_label = TEXT_LABELS.get(seen.text, ("", "")) if holds else ("", "")
    return Facts(
        first_visit=bool(get("fact_first_visit")) and holds,
        session=f"session {place} of {total}" if place and total and get("status") != Status.CANCELLED else "",
        text_state=text_state,
        text_label=text_label,
        reminder_failed=seen.reminder_failed and holds,
        other=seen.other if holds else None,
    )
