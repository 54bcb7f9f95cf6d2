"""The live diary's cheap check: a token that changes whenever anything a day's page shows about
its appointments changes (one booked, moved in or out, cancelled, re-statused, edited, or a text
about one delivered or failed). Two aggregate queries, so every open diary can ask every couple
of seconds; only when the token differs is the page's grid drawn again.

Working hours, absences and closures are not in it: they change rarely, and the page's own
five-minute reload (static/js/diary.js) picks them up.
"""

from __future__ import annotations

from datetime import date

from django.db.models import Count, Max

from clinic.sms.models import Message

from ..models import Appointment, local_day_bounds


def day_token(day: date, *, only_therapist_user=None) -> str:
    """The day's token (no personal data in it: counts and instants)."""
    start, end = local_day_bounds(day)
    appointments = Appointment.objects.filter(start__lt=end, end__gt=start)
    if only_therapist_user is not None:
        appointments = appointments.filter(therapist__user=only_therapist_user)
    seen = appointments.aggregate(count=Count("pk"), changed=Max("updated_at"))
    texts = Message.objects.filter(
        about_type__app_label="bookings", about_type__model="appointment", about_id__in=appointments.values("pk")
    ).aggregate(changed=Max("updated_at"))
    stamps = [seen["changed"], texts["changed"]]
    return "-".join([str(seen["count"]), *(f"{s.timestamp():.6f}" if s else "0" for s in stamps)])
