"""The day view's set-up: who works that day, their hours and absences, and whether the clinic is
closed. It changes only when the manager edits therapists, hours, absences or closures, so it is
cached under the `setup` version (clinic/core/versions.py: every save or delete of those rows
bumps it after commit), one entry per day. Reception keeps the diary open all day and reloads it
every few seconds: after the first look, a day costs no query for any of this.

When it is not cached (first look at a day, or after an edit) it costs three queries: the
therapists (with the day's closure as a subquery on each row, so it needs no query of its own),
the weekday's hours, and the absences touching the day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

from django.db.models import Subquery

from clinic.core.versions import SETUP, cached
from therapists.models import Absence, Closure, Therapist, WorkingHours

from ..models import local_day_bounds


@dataclass(frozen=True)
class TherapistOfDay:
    """What the day view shows of a therapist (plain values: cheap to cache and to read)."""

    pk: int
    name: str
    active: bool
    user_id: int | None

    def __str__(self) -> str:
        return self.name


@dataclass(frozen=True)
class ClosedDay:
    """The clinic's closure that day (the template reads `reason`)."""

    reason: str


@dataclass(frozen=True)
class DaySetup:
    therapists: list[TherapistOfDay]  # every therapist, in diary order
    hours: list[tuple[int, time, time]]  # (therapist id, start, end) wall times of that weekday
    absences: list[tuple[int, datetime, datetime, str]]  # (therapist id, starts at, ends at, reason)
    closure: ClosedDay | None

    def only_for(self, user) -> DaySetup:
        """The same day as a therapist's own login sees it: their column alone."""
        mine = [t for t in self.therapists if t.user_id == user.pk]
        ids = {t.pk for t in mine}
        return DaySetup(
            therapists=mine,
            hours=[h for h in self.hours if h[0] in ids],
            absences=[a for a in self.absences if a[0] in ids],
            closure=self.closure,
        )


def day_setup(day: date, *, only_therapist_user=None) -> DaySetup:
    """The day's set-up, from the shared cache when it is there (see the module's docstring)."""
    setup = cached(f"diary-setup:{day.isoformat()}", depends_on=[SETUP], compute=lambda: _load(day))
    return setup.only_for(only_therapist_user) if only_therapist_user is not None else setup


def _load(day: date) -> DaySetup:
    day_start, day_end = local_day_bounds(day)
    closing = Closure.objects.filter(start_date__lte=day, end_date__gte=day).order_by("start_date", "pk")
    rows = list(
        Therapist.objects.annotate(
            closed_pk=Subquery(closing.values("pk")[:1]), closed_reason=Subquery(closing.values("reason")[:1])
        ).values_list("pk", "name", "active", "user_id", "closed_pk", "closed_reason")
    )
    therapists = [TherapistOfDay(pk, name, active, user_id) for pk, name, active, user_id, _, _ in rows]
    closure = None
    if rows and rows[0][4] is not None:
        closure = ClosedDay(rows[0][5] or "")
    elif not rows:
        # No therapist to carry the subquery: ask directly (a clinic being set up).
        first = closing.values_list("reason", flat=True).first()
        closure = ClosedDay(first or "") if first is not None else None
    hours = list(WorkingHours.objects.filter(weekday=day.weekday()).values_list("therapist_id", "start", "end"))
    absences = list(
        Absence.objects.filter(starts_at__lt=day_end, ends_at__gt=day_start).values_list(
            "therapist_id", "starts_at", "ends_at", "reason"
        )
    )
    return DaySetup(therapists=therapists, hours=hours, absences=absences, closure=closure)
