"""The booking services' hook: time in a therapist's diary just came free.

Kept apart from `offers` (which books through the services) so the services can call it without
an import cycle. The row is written in the transaction that freed the time, so it exists if and
only if that change committed; the offers go after commit.
"""

from __future__ import annotations

import logging
from datetime import datetime
from functools import partial

from django.db import transaction
from django.utils import timezone

from .models import FreedTime

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


def _enqueue(freed_id: int) -> None:
    from ..tasks import offer_freed_time

    try:
        offer_freed_time.apply_async((freed_id,), retry=False)
    except Exception:
        # The broker is down: the minutely catch-up offers it instead.
        logger.warning("Could not queue wait-list offers for freed time %s", freed_id, exc_info=True)
