"""Reception marks what happened: arrived, completed, no-show; or books a cancelled time again.
The patient confirms they are coming (a reply to the reminder)."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone

from .. import notifications
from ..models import Appointment
from ..waitlist import freed as wait_list
from .booking import diary_changed, is_overlap_violation, lock_therapists
from .errors import BookingError, SlotUnavailable
from .free_times import clash_message, clashes

Status = Appointment.Status

# Which status changes reception may make, from -> allowed targets.
STATUS_TRANSITIONS = {
    Status.BOOKED: {Status.ARRIVED, Status.NO_SHOW, Status.COMPLETED},
    Status.ARRIVED: {Status.COMPLETED, Status.BOOKED, Status.NO_SHOW},
    Status.COMPLETED: {Status.ARRIVED},
    Status.NO_SHOW: {Status.BOOKED, Status.ARRIVED},
    Status.CANCELLED: {Status.BOOKED},
}

# What happened at a visit can only be said once its day has come.
ON_THE_DAY = {Status.ARRIVED, Status.COMPLETED, Status.NO_SHOW}


def allowed_statuses(appointment: Appointment, *, today=None) -> set[str]:
    """The statuses reception may move this appointment to now (for the buttons the admin shows).

    Arrived, completed and no-show only from the appointment's day on; a no-show is undone
    (back to booked, or arrived after all) only on the day itself, so last week's figures are not
    rewritten by accident. Restoring a cancelled appointment is allowed while it is in the future.
    """
    today = today or timezone.localdate()
    day = timezone.localtime(appointment.start).date()
    allowed = set(STATUS_TRANSITIONS.get(appointment.status, set()))
    if day > today:
        allowed -= ON_THE_DAY
    if appointment.status == Status.NO_SHOW and day != today:
        allowed = set()
    if appointment.status == Status.CANCELLED and appointment.start < timezone.now():
        allowed.discard(Status.BOOKED)
    return allowed


def _refusal(current: Appointment, status: str) -> str:
    label = Status(status).label.lower()
    day = timezone.localtime(current.start).date()
    if status in ON_THE_DAY and day > timezone.localdate():
        return f"An appointment can be marked {label} from its day on ({current.local_start:%a %-d %b})."
    if current.status == Status.NO_SHOW:
        return "A no-show can only be undone on the day of the appointment."
    if current.status == Status.CANCELLED and status == Status.BOOKED:
        return "A cancelled appointment in the past cannot be booked again; book a new one instead."
    return f"An appointment marked {current.get_status_display().lower()} cannot be marked {label}."


def set_status(*, appointment: Appointment, status: str, by_user=None) -> Appointment:
    """Mark an appointment arrived, completed or a no-show, undo that, or restore a cancelled one.

    Refuses (`BookingError`) a change `allowed_statuses` does not allow. Restoring into a time
    that was booked meanwhile raises `SlotUnavailable` naming the clash. History records the
    acting user. Use `cancel_booking` to cancel.
    """
    try:
        with transaction.atomic():
            lock_therapists([appointment.therapist_id])
            current = Appointment.objects.select_for_update().get(pk=appointment.pk)
            if current.status == status:
                return current
            if status not in allowed_statuses(current):
                raise BookingError(_refusal(current, status))
            restoring = status in Status.holding_time() and not current.holds_time
            if restoring and clashes(current, current.therapist, current.length, current.start):
                raise SlotUnavailable(
                    "That time has been booked by someone else since. "
                    + clash_message(current, current.therapist, current.length, current.start)
                )
            was_cancelled = current.status == Status.CANCELLED
            current.status = status
            if was_cancelled:
                current.cancelled_at, current.cancelled_by, current.cancelled_by_user = None, "", None
                current.cancellation_reason = ""
                current.confirmed_at = None  # the patient has not confirmed the restored booking
                current.calendar_sequence += 1  # the new invitation replaces the cancellation
            current._history_user = by_user
            current.save()
            diary_changed(current.therapist_id)
            if was_cancelled:
                notifications.booking_restored(current)
            if status == Status.NO_SHOW:
                wait_list.appointment_time_freed(current, cause=wait_list.Cause.NO_SHOW)
    except IntegrityError as error:
        if is_overlap_violation(error):
            raise SlotUnavailable("That time has been booked by someone else since.") from error
        raise
    return current


def confirm_attendance(*, appointment: Appointment) -> Appointment:
    """Record that the patient says they are coming (they replied Y to the reminder), for the
    diary's "confirmed" badge. Confirming again keeps the first time. Raises `BookingError` for
    an appointment that is no longer booked."""
    with transaction.atomic():
        current = Appointment.objects.select_for_update().get(pk=appointment.pk)
        if current.status != Status.BOOKED:
            raise BookingError("Only a booked appointment can be confirmed.")
        if current.confirmed_at is None:
            current.confirmed_at = timezone.now()
            current.save(update_fields=["confirmed_at", "updated_at"])
            diary_changed(current.therapist_id)  # every appointment write does (docs/caching.md)
    return current
