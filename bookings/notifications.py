"""What patients are told when an appointment changes, written as SMS (and email) outbox rows.

Called by the booking services inside their transaction, so a message exists if and only if the
change it describes was committed (design rule 4). Sending happens after commit, elsewhere.
Reminders are rows with a due time (rule 5): moving an appointment re-times its pending reminder,
cancelling cancels it. A patient who gave an email address also gets each confirmation, change
and cancellation by email, with a calendar invitation (`emails`).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone

from clinic.core.models import ClinicSettings
from clinic.sms.models import Message
from clinic.sms.quiet_hours import next_allowed
from clinic.sms.services import cancel_pending, queue_sms, render_sms

from .emails import EmailKind, email_patient
from .policy import change_policy
from .tokens import manage_path, screening_path

# A reception booking still not screened is sent the health questions' link again this long before.
SCREENING_REMINDER_HOURS = 48


class Kind(models.TextChoices):
    """The texts appointments cause (templates/sms/<kind>.txt); registered with clinic.sms."""

    BOOKING_CONFIRMATION = "booking_confirmation", "Booking confirmation"
    REMINDER = "reminder", "Reminder"
    CANCELLATION = "cancellation", "Cancellation"
    TIME_CHANGE = "time_change", "Time change"
    SCREENING_REMINDER = "screening_reminder", "Health questions reminder"
    # Answers to texts patients send (bookings.inbound).
    CONFIRMED_REPLY = "confirmed_reply", "Reply: attendance confirmed"
    CANCELLED_REPLY = "cancelled_reply", "Reply: cancelled"
    CANNOT_CANCEL_REPLY = "cannot_cancel_reply", "Reply: too late to cancel by text"
    NO_APPOINTMENT_REPLY = "no_appointment_reply", "Reply: no upcoming appointment"
    # The wait list (bookings.waitlist).
    WAITLIST_OFFER = "waitlist_offer", "Wait list: a time came free"


# Texts the patient did not ask for there and then: a number that replied STOP does not get them.
OPTIONAL_KINDS = [Kind.REMINDER, Kind.SCREENING_REMINDER, Kind.WAITLIST_OFFER]


NOTICE_KINDS = [Kind.BOOKING_CONFIRMATION, Kind.TIME_CHANGE, Kind.CANCELLATION]


def _when(moment: datetime) -> str:
    """'Tue 24 Nov at 14:30' in clinic time."""
    local = timezone.localtime(moment)
    return f"{local:%a} {local.day} {local:%b} at {local:%H:%M}"


def _manage_url(appointment, policy) -> str:
    """The patient's own link to cancel or move the appointment (a signed token), or "" when the
    change rule will stop them by the time the text goes, so the text says to phone instead of
    offering a dead end."""
    if not policy.allowed:
        return ""
    return settings.PUBLIC_BASE_URL.rstrip("/") + manage_path(appointment)


def _change_until(policy) -> str:
    """ "14:10" while only the grace period allows a change (it ends soon: the text says when)."""
    return f"{timezone.localtime(policy.until):%H:%M}" if policy.in_grace else ""


def _context(appointment, *, at: datetime | None = None, **extra) -> dict:
    first_name = (appointment.patient.name.split() or [""])[0][:20]
    policy = change_policy(appointment, now=at)
    return {
        "appointment": appointment,
        "first_name": first_name,
        "when": _when(appointment.start),
        "treatment": appointment.length.treatment.name,
        "minutes": appointment.length.minutes,
        "length": appointment.length.label(short=True),  # "Sports massage, 30 min" once there are several
        "therapist": appointment.therapist.name,
        "reference": appointment.reference,
        "manage_url": _manage_url(appointment, policy),
        "change_until": _change_until(policy),
        "screening_url": _screening_url(appointment),
        **extra,
    }


def _screening_url(appointment) -> str:
    """The link to the health questions while the appointment is not yet screened, else ""."""
    if appointment.screening_status != appointment.ScreeningStatus.NOT_SCREENED:
        return ""
    return settings.PUBLIC_BASE_URL.rstrip("/") + screening_path(appointment)


def _shorter(appointment) -> list[dict]:
    """What a text about `appointment` leaves out, in turn, only if it would be longer than two
    SMS segments (long names plus a long manage link can do that): first all but the therapist's
    first name, then the link (the text says to phone instead)."""
    return [{"therapist": (appointment.therapist.name.split() or [""])[0][:20]}, {"manage_url": ""}]


def text_of(kind: str, appointment, *, at: datetime | None = None, **extra) -> str:
    """The words of the `kind` text about `appointment`, going at `at` (default now)."""
    return render_sms(kind, _context(appointment, at=at, **extra), shorter=_shorter(appointment))


def queue(kind: str, appointment, *, due_at=None, **extra) -> Message | None:
    """Write the `kind` text about `appointment` to its patient (in the caller's transaction).
    An erased patient has no number any more, so nothing is written for them."""
    if not appointment.patient.phone:
        return None
    return queue_sms(
        kind=kind,
        to=appointment.patient.phone,
        context=_context(appointment, at=due_at, **extra),
        shorter=_shorter(appointment),
        about=appointment,
        due_at=due_at,
    )


def reminder_due_at(appointment) -> datetime | None:
    """When the reminder goes: `reminder_hours_before` elapsed hours before the start, moved out of
    quiet hours. None if that is already past (no reminder is written) or reminders are off (0).

    Elapsed hours, not wall-clock: the subtraction is done in UTC, so across the clock change an
    appointment at 10:00 BST on 29 March is reminded at 09:00 GMT on the 28th, 24 hours before.
    """
    hours = ClinicSettings.load().reminder_hours_before
    if not hours:
        return None
    start = appointment.start.astimezone(UTC)
    due = next_allowed(start - timedelta(hours=hours))
    if due <= timezone.now() or due >= start:
        return None
    return due


def _schedule_reminder(appointment) -> Message | None:
    due = reminder_due_at(appointment)
    if due is None:
        return None
    return queue(Kind.REMINDER, appointment, due_at=due)


def booking_created(appointment) -> None:
    """A confirmation to send now and a reminder due before the start; for an appointment not yet
    screened (booked by reception), the health questions' link again 48 hours before."""
    queue(Kind.BOOKING_CONFIRMATION, appointment)
    email_patient(EmailKind.BOOKING_CONFIRMATION, appointment)
    _schedule_reminder(appointment)
    _schedule_screening_reminder(appointment)


def screening_reminder_due_at(appointment) -> datetime | None:
    """When the link to the health questions is sent again: 48 elapsed hours before the start, out
    of quiet hours; None if the appointment is screened or that time has passed."""
    if appointment.screening_status != appointment.ScreeningStatus.NOT_SCREENED:
        return None
    start = appointment.start.astimezone(UTC)
    due = next_allowed(start - timedelta(hours=SCREENING_REMINDER_HOURS))
    if due <= timezone.now() or due >= start:
        return None
    return due


def _schedule_screening_reminder(appointment) -> Message | None:
    due = screening_reminder_due_at(appointment)
    return queue(Kind.SCREENING_REMINDER, appointment, due_at=due) if due else None


def screening_answered(appointment) -> None:
    """The health questions were answered: the pending reminder to answer them is withdrawn."""
    cancel_pending(Message.objects.about(appointment).filter(kind=Kind.SCREENING_REMINDER))


def session_booked(appointment) -> None:
    """A session of a course: only its reminder (the course's one text lists every date)."""
    _schedule_reminder(appointment)


def booking_moved(appointment, *, old_start, old_therapist_id, old_length=None, by_patient: bool = False) -> None:
    """A time-change notice (naming the new therapist and length when they changed); the pending
    reminder is re-timed.

    A confirmation that has not gone yet (quiet hours) is replaced by one with the new time, rather
    than sending the old time followed by a correction. Reception changing only the length sends
    nothing (nothing the patient needs to act on); the patient changing it is told the new price.
    """
    pending = Message.objects.about(appointment).filter(status=Message.Status.PENDING)
    _retime_reminders(appointment, pending.filter(kind=Kind.REMINDER))
    cancel_pending(pending.filter(kind=Kind.SCREENING_REMINDER))
    _schedule_screening_reminder(appointment)
    # Any change moves the calendar event (a new length moves its end), so the email always goes.
    email_patient(EmailKind.TIME_CHANGE, appointment, old_start=old_start)
    length_changed = old_length is not None and old_length.pk != appointment.length_id
    same_time = appointment.start == old_start and appointment.therapist_id == old_therapist_id
    if same_time and not (length_changed and by_patient):
        return  # reception changed only the length: nothing the patient needs to act on
    unsent_confirmation = cancel_pending(pending.filter(kind=Kind.BOOKING_CONFIRMATION))
    cancel_pending(pending.filter(kind=Kind.TIME_CHANGE))
    if unsent_confirmation:
        queue(Kind.BOOKING_CONFIRMATION, appointment)
    else:
        changed = (
            {"old_minutes": old_length.minutes, "price": appointment.length.price_display} if length_changed else {}
        )
        if appointment.therapist_id != old_therapist_id:
            changed["old_therapist"] = True
        queue(Kind.TIME_CHANGE, appointment, old_when=_when(old_start), **changed)


def _retime_reminders(appointment, reminders) -> None:
    due = reminder_due_at(appointment)
    if due is None:
        cancel_pending(reminders)
        return
    body = text_of(Kind.REMINDER, appointment, at=due)
    # Only still-pending rows are touched: a reminder a worker has claimed is already on its way.
    if not reminders.update(body=body, due_at=due, lease_until=None, updated_at=timezone.now()):
        _schedule_reminder(appointment)


def booking_cancelled(appointment, *, notify_patient: bool) -> None:
    """Pending messages for the appointment are cancelled; a cancellation notice if asked."""
    cancel_pending(Message.objects.about(appointment))
    if notify_patient:
        queue(Kind.CANCELLATION, appointment)
        email_patient(EmailKind.CANCELLATION, appointment)


def booking_restored(appointment) -> None:
    """A cancelled appointment is booked again: a fresh reminder is scheduled.

    A cancellation notice that has not gone yet is withdrawn. A confirmation is sent unless the
    last notice the patient got already says it is booked.
    """
    messages = Message.objects.about(appointment)
    cancel_pending(messages.filter(kind=Kind.CANCELLATION))
    last_notice = (
        messages.filter(kind__in=NOTICE_KINDS).exclude(status=Message.Status.CANCELLED).order_by("-pk").first()
    )
    # Unless the last thing they heard was that it is booked, tell them it is booked (again).
    if last_notice is None or last_notice.kind == Kind.CANCELLATION:
        queue(Kind.BOOKING_CONFIRMATION, appointment)
    # The calendar may hold the cancelled event: a new invitation (a higher SEQUENCE) restores it.
    email_patient(EmailKind.BOOKING_CONFIRMATION, appointment)
    if not messages.filter(kind=Kind.REMINDER, status=Message.Status.PENDING).exists():
        _schedule_reminder(appointment)
    if not messages.filter(kind=Kind.SCREENING_REMINDER, status=Message.Status.PENDING).exists():
        _schedule_screening_reminder(appointment)
