"""The emails appointments cause, for patients who gave an address: outbox rows in `clinic.mail`.

Called from `notifications` (so from the booking services, inside their transaction) beside the
texts: a confirmation, a time change or a cancellation, each with the appointment, the clinic's
name and phone, the patient's manage link and the change policy, and an .ics invitation whose
UID stays the same and whose SEQUENCE rises, so the patient's calendar keeps one event, updated.
Nothing from the health questions or the patient's note is ever put in an email.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

from clinic.core.models import ClinicSettings
from clinic.mail.models import Email
from clinic.mail.services import Attachment, queue_email

from . import ics
from .policy import change_policy
from .tokens import manage_path


class EmailKind(models.TextChoices):
    """templates/email/<kind>.txt, .html and _subject.txt; the same names as the texts' kinds."""

    BOOKING_CONFIRMATION = "booking_confirmation", "Booking confirmation"
    TIME_CHANGE = "time_change", "Time change"
    CANCELLATION = "cancellation", "Cancellation"


def _when(moment) -> str:
    """'Tuesday 24 November 2026 at 14:30' in clinic time."""
    local = timezone.localtime(moment)
    return f"{local:%A} {local.day} {local:%B %Y} at {local:%H:%M}"


def _public(path: str) -> str:
    return settings.PUBLIC_BASE_URL.rstrip("/") + path


def _price(amount) -> str:
    return f"£{amount:,.0f}" if amount == amount.to_integral() else f"£{amount:,.2f}"


def invitation(appointment, *, clinic, method: str, attendee: str) -> Attachment:
    """The .ics attachment: an invitation (REQUEST) or its withdrawal (CANCEL)."""
    return Attachment(
        name=f"appointment-{appointment.reference}.ics",
        content_type=f"text/calendar; method={method}",
        content=ics.appointment_calendar(appointment, clinic=clinic, method=method, attendee=attendee),
    )


def email_patient(kind: str, appointment, *, old_start=None) -> Email | None:
    """Write the `kind` email about `appointment` to its patient, in the caller's transaction.

    Nothing when the patient gave no email address (or was erased). `old_start` is the time
    before a move, for the time-change email.
    """
    address = appointment.patient.email
    if not address:
        return None
    clinic = ClinicSettings.load()
    policy = change_policy(appointment, clinic=clinic)
    method = ics.CANCEL if kind == EmailKind.CANCELLATION else ics.REQUEST
    context = {
        "first_name": (appointment.patient.name.split() or [""])[0],
        "when": _when(appointment.start),
        "ends": f"{timezone.localtime(appointment.end):%H:%M}",
        "old_when": _when(old_start) if old_start else "",
        "treatment": appointment.length.treatment.name,
        "minutes": appointment.length.minutes,
        "price": _price(appointment.price) if kind != EmailKind.CANCELLATION else "",
        "therapist": appointment.therapist.name,
        "reference": appointment.reference,
        "policy": policy,
        "manage_url": _public(manage_path(appointment)) if policy.allowed else "",
        "book_url": _public(reverse("bookings:book")),
    }
    return queue_email(
        kind=kind,
        to=address,
        context=context,
        about=appointment,
        attachments=[invitation(appointment, clinic=clinic, method=method, attendee=address)],
    )
