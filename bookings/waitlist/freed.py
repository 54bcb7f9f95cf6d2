"""The booking services' hook: time in a therapist's diary just came free.

Kept apart from `offers` (which books through the services) so the services can call it without
an import cycle. The row is written in the transaction that freed the time, so it exists if and
only if that change committed; the offers go after commit.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from functools import partial

from django.db import transaction
from django.utils import timezone

from .models import LONGEST_WAIT_DAYS, FreedTime

logger = logging.getLogger(__name__)
Cause = FreedTime.Cause


def time_freed(*, therapist_id: int, start: datetime, end: datetime, cause: str, appointment=None) -> FreedTime | None:
    """Note that [start, end) of a therapist's diary came free; call inside the transaction that
    freed it. Time already past is not noted. Returns the row (or None)."""
    if end <= timezone.now():
        return None
    freed = FreedTime.objects.create(
        therapist_id=therapist_id, start=start, end=end, cause=cause, appointment=appointment
    )
    transaction.on_commit(partial(_enqueue, freed.pk))
    return freed


def appointment_time_freed(appointment, *, cause: str) -> FreedTime | None:
    """The time `appointment` held (buffer included) came free: it was cancelled or missed."""
    return time_freed(
        therapist_id=appointment.therapist_id,
        start=appointment.start,
        end=appointment.blocked_until,
        cause=cause,
        appointment=appointment,
    )


def hours_added(working_hours) -> list[FreedTime]:
    """A therapist's weekly range was added or widened (`therapists.hooks`): its time on each of
    those weekdays the wait list looks ahead to is noted as freed."""
    from ..availability import range_boundary

    tz = timezone.get_current_timezone()
    today = timezone.localdate()
    days = (today + timedelta(days=n) for n in range(LONGEST_WAIT_DAYS + 1))
    return [
        freed
        for day in days
        if day.weekday() == working_hours.weekday
        and (
            freed := time_freed(
                therapist_id=working_hours.therapist_id,
                start=range_boundary(day, working_hours.start, tz),
                end=range_boundary(day, working_hours.end, tz),
                cause=Cause.HOURS,
            )
        )
    ]


def _enqueue(freed_id: int) -> None:
    from ..tasks import offer_freed_time

    try:
        offer_freed_time.apply_async((freed_id,), retry=False)
    except Exception:
        # The broker is down: the minutely catch-up offers it instead.
        logger.warning("Could not queue wait-list offers for freed time %s", freed_id, exc_info=True)
