"""What a patient's text means to their appointments (registered with `clinic.sms.inbound`).

Reminders end with "Reply Y to confirm or C to cancel". A reply is about the appointment whose
reminder went out last (if it is still ahead and booked), otherwise the patient's next one:

- Y / YES / CONFIRM: the appointment is confirmed (a badge in the diary) and the patient thanked.
- C / CANCEL: cancelled through `cancel_booking(cancelled_by=PATIENT)`, the manage page's service
  and notice rule. Inside the notice period the reply gives the clinic's phone and the text is
  referred to reception, whose callback queue (the `callbacks` app's fallback) picks it up.

Anything else is left to the fallback. A few polite extra words ("yes please", "C thanks") are
allowed; anything longer is a message for a person, not a keyword.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone

from clinic.core.models import ClinicSettings
from clinic.sms.inbound import Outcome, Reply
from clinic.sms.models import Message

from .diary import blocks
from .models import Appointment, Patient
from .notifications import Kind, _when
from .services import ChangeNotAllowed, cancel_booking, confirm_attendance

CONFIRM_WORDS = {"Y", "YES", "CONFIRM", "CONFIRMED", "YEP", "YEAH", "OK", "OKAY"}
CANCEL_WORDS = {"C", "CANCEL", "CANCELLED"}
POLITE_WORDS = {"PLEASE", "PLS", "THANKS", "THANK", "YOU", "THX", "TA", "X", "XX"}


def patient_with_number(number) -> Patient | None:
    """The patient whose phone this is (phones are unique), for `register_contact_lookup`."""
    return Patient.objects.filter(phone=number).first()


def _keyword(words: str) -> str:
    first, *rest = words.split() or [""]
    return first if set(rest) <= POLITE_WORDS else ""


def answered_appointment(patient: Patient) -> Appointment | None:
    """The appointment a reply is about: the one reminded most recently, if still ahead and
    booked, otherwise the patient's next booked appointment."""
    upcoming = (
        Appointment.objects.filter(patient=patient, status=Appointment.Status.BOOKED, start__gt=timezone.now())
        .select_related("therapist", "length__treatment", "patient")
        .order_by("start")
    )
    reminded_id = (
        Message.objects.filter(
            kind=Kind.REMINDER,
            about_type=ContentType.objects.get_for_model(Appointment),
            about_id__in=upcoming.values("pk"),
            status__in=[Message.Status.SENT, Message.Status.DELIVERED, Message.Status.UNKNOWN],
        )
        .order_by("-sent_at", "-pk")
        .values_list("about_id", flat=True)
        .first()
    )
    if reminded_id is not None:
        return upcoming.get(pk=reminded_id)
    return upcoming.first()


def _context(appointment: Appointment, **extra) -> dict:
    return {
        "first_name": (appointment.patient.name.split() or [""])[0][:20],
        "when": _when(appointment.start),
        "therapist": appointment.therapist.name,
        "reference": appointment.reference,
        **extra,
    }


def _book_url() -> str:
    return settings.PUBLIC_BASE_URL.rstrip("/") + reverse("bookings:book")


def _no_appointment(patient) -> Outcome:
    return Outcome(
        "No upcoming appointment found",
        detail=f"From {patient}" if patient else "From a number the clinic does not know",
        reply=Reply(Kind.NO_APPOINTMENT_REPLY, {"book_url": _book_url()}),
    )


def answer_reminder(text, words: str) -> Outcome | None:
    """Y or C in reply to a reminder (see the module docstring); None for anything else."""
    keyword = _keyword(words)
    if keyword not in CONFIRM_WORDS | CANCEL_WORDS:
        return None
    patient = text.contact if isinstance(text.contact, Patient) else None
    appointment = answered_appointment(patient) if patient else None
    if appointment is None:
        return _no_appointment(patient)
    if keyword in CONFIRM_WORDS:
        return _confirm(appointment)
    return _cancel(appointment, keyword)


def _confirm(appointment: Appointment) -> Outcome:
    confirm_attendance(appointment=appointment)
    return Outcome(
        "Confirmed the appointment",
        detail=str(appointment),
        reply=Reply(Kind.CONFIRMED_REPLY, _context(appointment)),
        about=appointment,
    )


def _cancel(appointment: Appointment, keyword: str) -> Outcome:
    try:
        cancelled = cancel_booking(
            appointment=appointment,
            cancelled_by=Appointment.CancelledBy.PATIENT,
            reason=f'Replied "{keyword}" to a text',
            notify_patient=False,  # the reply says so
        )
    except ChangeNotAllowed:
        notice = ClinicSettings.load().cancellation_notice_hours
        return Outcome(
            "Asked to cancel inside the notice period",
            detail=str(appointment),
            reply=Reply(Kind.CANNOT_CANCEL_REPLY, _context(appointment, notice_hours=notice)),
            about=appointment,
            refer=f"Asked by text to cancel {appointment.reference} on {_when(appointment.start)}, "
            f"less than {notice} hours before. Not cancelled: phone them.",
        )
    return Outcome(
        "Cancelled the appointment",
        detail=str(cancelled),
        reply=Reply(Kind.CANCELLED_REPLY, _context(cancelled, book_url=_book_url())),
        about=cancelled,
    )


def _confirmed_badge(block, row, viewer) -> None:
    confirmed = row["confirmed_at"]
    if confirmed and row["status"] == Appointment.Status.BOOKED:
        local = timezone.localtime(confirmed)
        title = f"The patient confirmed by text on {local:%a} {local.day} {local:%b} at {local:%H:%M}"
        block.badges.append(blocks.Badge("Confirmed", css="badge-confirmed", title=title))


# The diary's "confirmed" badge (registered in `BookingsConfig.ready`), read in its one query.
CONFIRMED_BADGE = blocks.BlockExtension(name="confirmed-by-text", values=("confirmed_at",), apply=_confirmed_badge)
