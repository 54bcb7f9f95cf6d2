"""Changing a booked appointment: moving it, cancelling it, and the patient's notice rule.

A patient may cancel or move their own appointment online only while `change_policy`
(`bookings.policy`) allows it; it is enforced here, under the row lock, so the manage page, texts
a patient answers and anything else acting for the patient cannot disagree. Reception is not
bound by it.
"""

from __future__ import annotations

from datetime import datetime

from django.db import IntegrityError, OperationalError, transaction
from django.utils import timezone

from clinic.core.db import is_lock_timeout
from therapists.models import Therapist

from .. import notifications
from ..models import Appointment, TreatmentLength
from ..policy import change_policy
from ..schedules import BookingPolicy
from ..waitlist import freed as wait_list
from .booking import candidates, check_online_rules, diary_changed, is_overlap_violation, lock_therapists
from .errors import BookingError, Busy, ChangedMeanwhile, ChangeNotAllowed, NotOffered, SlotUnavailable
from .free_times import clash_message, clashes, free_therapists_at, nearest_free_starts, not_free_refusal


def _refuse_unless_patient_may_change(appointment: Appointment) -> None:
    policy = change_policy(appointment)
    if not policy.allowed:
        raise ChangeNotAllowed(policy.refusal)


def _changed_meanwhile(current: Appointment) -> str:
    now = f"{current.local_start:%a %-d %b %H:%M} with {current.therapist}, {current.get_status_display().lower()}"
    return (
        f"{current.patient.name}'s appointment was changed at another desk meanwhile (it is now {now}). "
        "Nothing was changed; check it and try again."
    )


def _candidate_ids(appointment: Appointment, length: TreatmentLength, therapist, *, online_rules: bool) -> list[int]:
    """Who may take the moved appointment, its own therapist first: the one named, or (anyone)
    everyone offering the length. Raises `NotOffered` as booking does."""
    if therapist is not None:
        return [therapist.pk]
    ids = candidates(length, None, online_rules=online_rules)
    return sorted(ids, key=lambda pk: pk != appointment.therapist_id)


def reschedule_booking(
    *,
    appointment: Appointment,
    start: datetime,
    therapist: Therapist | None = None,
    length: TreatmentLength | None = None,
    anyone: bool = False,
    online_rules: bool = False,
    by_user=None,
    if_unchanged_since: datetime | None = None,
) -> Appointment:
    """Move an appointment to another time, therapist or length, through the same guard.

    With `anyone` (the patient's "No preference") the appointment stays with its therapist if they
    are free then, else goes to whoever offering the length is. The price follows the length.
    Writes a time-change notice (naming a new therapist or length) and re-times the pending
    reminder. With `online_rules` (the patient moving it themselves) the change rule applies, the
    new time must be one patients may book and the length must be one of the same treatment.
    Raises `SlotUnavailable` if the new time is taken, `Busy` (with the nearest free times) if
    another transaction held a lock past lock_timeout, `ChangeNotAllowed` outside the change
    rule, `NotOffered`, or `BookingError` if the appointment is no longer active. With
    `if_unchanged_since` (the `updated_at` the page that asked was drawn with), raises
    `ChangedMeanwhile` instead if anyone changed it since.
    """
    length = length or appointment.length
    therapist = None if anyone else (therapist or appointment.therapist)
    if online_rules:
        check_online_rules(start, BookingPolicy.from_settings(), timezone.now())
        if length.treatment_id != appointment.length.treatment_id:
            raise NotOffered("An appointment can only be changed to another length of the same treatment.")
    ids = _candidate_ids(appointment, length, therapist, online_rules=online_rules)
    try:
        with transaction.atomic():
            locked = lock_therapists({appointment.therapist_id, *ids})
            current = Appointment.objects.select_for_update().get(pk=appointment.pk)
            if if_unchanged_since is not None and current.updated_at != if_unchanged_since:
                raise ChangedMeanwhile(_changed_meanwhile(current))
            if not current.holds_time:
                raise BookingError("Only a booked appointment can be moved.")
            if online_rules:
                _refuse_unless_patient_may_change(current)
            if therapist is not None and not length.therapists.filter(pk=therapist.pk).exists():
                raise NotOffered(f"{therapist} does not offer {length}.")
            free = free_therapists_at(ids, length, start, online=online_rules, ignore_appointment_id=current.pk)
            if not free and online_rules:
                # The patient is told why in their terms, never whose appointment is in the way.
                raise not_free_refusal(ids, length, start, ignore_appointment_id=current.pk)
            if not free and therapist is not None and clashes(current, therapist, length, start):
                raise SlotUnavailable(clash_message(current, therapist, length, start))
            if not free and therapist is None:
                raise SlotUnavailable()
            therapist = locked.get(free[0], therapist) if free else therapist
            old_start, old_therapist_id, old_until = current.start, current.therapist_id, current.blocked_until
            old_length = current.length
            if length.pk != current.length_id:
                current.price = length.price
            if (start, therapist.pk) != (old_start, old_therapist_id):
                current.confirmed_at = None  # the patient confirmed the old time, not this one
            current.start, current.therapist, current.length = start, therapist, length
            current.calendar_sequence += 1  # locked row, same UPDATE: the invitation's SEQUENCE rises
            current._history_user = by_user
            current.save()
            diary_changed(old_therapist_id, current.therapist_id)
            notifications.booking_moved(
                current,
                old_start=old_start,
                old_therapist_id=old_therapist_id,
                old_length=old_length,
                by_patient=online_rules,
            )
            if (old_start, old_therapist_id, old_until) != (current.start, current.therapist_id, current.blocked_until):
                wait_list.time_freed(
                    therapist_id=old_therapist_id,
                    start=old_start,
                    end=old_until,
                    cause=wait_list.Cause.MOVED,
                    appointment=current,
                )
    except IntegrityError as error:
        if is_overlap_violation(error):
            message = None if online_rules else clash_message(appointment, therapist, length, start)
            raise SlotUnavailable(message) from error
        raise
    except OperationalError as error:
        if not is_lock_timeout(error):
            raise
        alternatives = nearest_free_starts(
            length=length, around=start, therapist=therapist, online=online_rules, ignore_appointment_id=appointment.pk
        )
        raise Busy(
            "Sorry, we are very busy just now and could not move your appointment. It is unchanged: please try "
            "again in a moment.",
            alternatives=alternatives,
        ) from error
    return current


def cancel_booking(
    *,
    appointment: Appointment,
    cancelled_by: str,
    reason: str = "",
    by_user=None,
    notify_patient: bool = True,
) -> Appointment:
    """Cancel an appointment, keeping it (and who, when and why) in the diary's history.

    Cancels its pending reminder; writes a cancellation SMS if `notify_patient`. A cancellation
    by the patient (`cancelled_by=PATIENT`) is held to the notice rule and raises
    `ChangeNotAllowed` inside it; reception (`CLINIC`) may cancel any booked appointment.
    Cancelling an already cancelled appointment returns it unchanged. Raises `Busy` if another
    transaction held the appointment's lock past lock_timeout (nothing changed).
    """
    try:
        return _cancel(
            appointment=appointment,
            cancelled_by=cancelled_by,
            reason=reason,
            by_user=by_user,
            notify_patient=notify_patient,
        )
    except OperationalError as error:
        if not is_lock_timeout(error):
            raise
        raise Busy(
            "Sorry, we are very busy just now and could not cancel your appointment. It is still booked: please "
            "try again in a moment."
        ) from error


def _cancel(*, appointment: Appointment, cancelled_by: str, reason: str, by_user, notify_patient: bool) -> Appointment:
    with transaction.atomic():
        current = Appointment.objects.select_for_update().get(pk=appointment.pk)
        if current.status == Appointment.Status.CANCELLED:
            return current
        if current.status != Appointment.Status.BOOKED:
            raise BookingError(f"An appointment marked {current.get_status_display().lower()} cannot be cancelled.")
        if cancelled_by == Appointment.CancelledBy.PATIENT:
            _refuse_unless_patient_may_change(current)
        current.status = Appointment.Status.CANCELLED
        current.cancelled_at = timezone.now()
        current.cancelled_by = cancelled_by
        current.cancelled_by_user = by_user
        current.cancellation_reason = reason
        current.calendar_sequence += 1  # locked row, same UPDATE: the invitation's SEQUENCE rises
        current._history_user = by_user
        current.save()
        diary_changed(current.therapist_id)
        notifications.booking_cancelled(current, notify_patient=notify_patient)
        wait_list.appointment_time_freed(current, cause=wait_list.Cause.CANCELLED)
    return current
