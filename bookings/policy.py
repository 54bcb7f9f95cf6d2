"""The patient's change rule: whether they may still cancel or move an appointment online.

Two parts, one answer: the notice rule (until `cancellation_notice_hours` before the start) and
the grace period (for `change_grace_minutes` after booking, however close the start is, so a
patient who booked the wrong time or person a moment ago can put it right). A read, shared by
every surface that states the policy (the texts, the confirmation page, the manage page, "My
bookings") and by the booking services that enforce it (`services.changes`), so they can never
disagree. It imports nothing that writes, so the texts can use it too.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone

from clinic.core.models import ClinicSettings

from .models import Appointment


@dataclass(frozen=True)
class ChangePolicy:
    """Whether the patient may change the appointment online now, and until when.

    `refusal` is what to tell them when they may not (with the clinic's phone) and `why` what
    sets `until` ("48 hours before the start", "10 minutes after booking"): the same words on
    every surface that shows the policy. `in_grace` says the grace period, not the notice rule,
    is what allows the change now.
    """

    allowed: bool
    until: datetime | None
    refusal: str
    notice_hours: int
    grace_minutes: int = 0
    in_grace: bool = False

    @property
    def why(self) -> str:
        if self.in_grace:
            return f"{self.grace_minutes} minutes after booking"
        return f"{self.notice_hours} hours before the start"


def change_policy(appointment: Appointment, *, now: datetime | None = None, clinic=None) -> ChangePolicy:
    """The rule for a patient changing `appointment` online (reads only)."""
    clinic = clinic or ClinicSettings.load()
    now = now or timezone.now()
    notice, grace = clinic.cancellation_notice_hours, clinic.change_grace_minutes
    if appointment.status == Appointment.Status.CANCELLED:
        return ChangePolicy(False, None, "This appointment has been cancelled.", notice, grace)
    if appointment.status != Appointment.Status.BOOKED:
        return ChangePolicy(False, None, "This appointment can no longer be changed online.", notice, grace)
    until = appointment.start - timedelta(hours=notice)
    if now < until:
        return ChangePolicy(True, until, "", notice, grace)
    # The grace period counts from when the appointment was booked, and never runs past its start.
    grace_until = min(appointment.created_at + timedelta(minutes=grace), appointment.start)
    if grace and now < grace_until:
        return ChangePolicy(True, grace_until, "", notice, grace, in_grace=True)
    # Formatted only here: checking and formatting a number costs libphonenumber about 0.1 ms, and
    # a booking asks for this policy three times (its texts, its email) with nothing refused.
    phone = clinic.phone.as_national if clinic.phone else ""
    return ChangePolicy(
        False,
        until,
        f"It is less than {notice} hours until your appointment, so it can no longer be changed online. "
        f"Please phone us on {phone}.",
        notice,
        grace,
    )
