"""The patient's notice rule: whether they may still cancel or move an appointment online.

A read, shared by every surface that states the policy (the confirmation text and page, the
manage page) and by the booking services that enforce it (`services.changes`), so they can never
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

    `refusal` is what to tell them when they may not (with the clinic's phone); the same words
    on every surface that shows the policy.
    """

    allowed: bool
    until: datetime | None
    refusal: str
    notice_hours: int


def change_policy(appointment: Appointment, *, now: datetime | None = None, clinic=None) -> ChangePolicy:
    """The notice rule for a patient changing `appointment` online (reads only)."""
    clinic = clinic or ClinicSettings.load()
    now = now or timezone.now()
    notice = clinic.cancellation_notice_hours
    phone = clinic.phone.as_national if clinic.phone else ""
    if appointment.status == Appointment.Status.CANCELLED:
        return ChangePolicy(False, None, "This appointment has been cancelled.", notice)
    if appointment.status != Appointment.Status.BOOKED:
        return ChangePolicy(False, None, "This appointment can no longer be changed online.", notice)
    until = appointment.start - timedelta(hours=notice)
    if now >= until:
        return ChangePolicy(
            False,
            until,
            f"It is less than {notice} hours until your appointment, so it can no longer be changed online. "
            f"Please phone us on {phone}.",
            notice,
        )
    return ChangePolicy(True, until, "", notice)
