"""The live diary's cheap check: a token that changes whenever anything a day's page shows about
its appointments changes (one booked, moved in or out, cancelled, re-statused, edited, or a text
it shows delivered or failed). The poll (`day_token`) costs two aggregate queries, so every open
diary can ask every couple of seconds; only when the token differs is the page's grid drawn again.

The page itself costs no query for its token: `token_of` makes the same token from the rows the
page has just read (the appointments, and the texts the reception details read for their badges:
`facts.texts_shown`), so what the page shows and the token it carries always agree.

Working hours, absences and closures are not in it: they change rarely, and the page's own
five-minute reload (static/js/diary.js) picks them up.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any

from django.db.models import Count, Max

from clinic.sms.models import Message

from ..models import Appointment, local_day_bounds
from .facts import texts_shown


def _token(count: int, changed: datetime | None, texts_changed: datetime | None) -> str:
    """No personal data in it: a count and two instants."""
    return "-".join([str(count), *(f"{s.timestamp():.6f}" if s else "0" for s in (changed, texts_changed))])


def day_token(day: date, *, only_therapist_user=None) -> str:
    """The day's token, from the database (two aggregates)."""
    start, end = local_day_bounds(day)
    appointments = Appointment.objects.filter(start__lt=end, end__gt=start)
    if only_therapist_user is not None:
        appointments = appointments.filter(therapist__user=only_therapist_user)
    seen = appointments.aggregate(count=Count("pk"), changed=Max("updated_at"))
    texts = Message.objects.filter(texts_shown(appointments)).aggregate(changed=Max("updated_at"))
    return _token(seen["count"], seen["changed"], texts["changed"])


def token_of(rows: Iterable[Mapping[str, Any]]) -> str | None:
    """The same token from a day page's appointment rows (every appointment of the day for the
    therapists shown, with `updated_at` and the reception details' `texts_changed`); None when the
    rows lack the texts' stamps (the reception details are not registered), so the caller asks
    the database instead."""
    rows = list(rows)
    if rows and any("texts_changed" not in row for row in rows):
        return None
    changed = max((row["updated_at"] for row in rows), default=None)
    texts = [row["texts_changed"] for row in rows if row["texts_changed"]]
    return _token(len(rows), changed, max(texts) if texts else None)
