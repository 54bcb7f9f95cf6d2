"""Writes that touch appointments: book, move, cancel, change status.

Every write follows lock, re-check, write inside one transaction: the therapists' rows are locked
(in primary-key order, so concurrent bookings queue instead of deadlocking), availability is
re-checked with the same engine the pages use, and only then is the row written. PostgreSQL's
exclusion constraint `appointment_no_overlap` is the last word; its violation becomes the same
friendly `SlotUnavailable` as a failed re-check. On SQLite (the demo) there is no such
constraint, but every transaction is IMMEDIATE, which serialises the check and the insert.

SMS side effects are written as outbox rows in the same transaction (`bookings.notifications`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from phonenumber_field.phonenumber import PhoneNumber

from therapists.models import Therapist

from . import notifications
from .models import Appointment, Patient, TreatmentLength, local_day_bounds
from .schedules import BookingPolicy, find_free_starts

OVERLAP_CONSTRAINT = "appointment_no_overlap"


class BookingError(Exception):
    """A booking could not be made or changed; `message` is safe to show to the person asking."""

    default_message = "Sorry, that booking could not be made."

    def __init__(self, message: str | None = None):
        self.message = message or self.default_message
        super().__init__(self.message)


class SlotUnavailable(BookingError):
    """The time is not (or no longer) free; `alternatives` are the nearest free starts."""

    default_message = "Sorry, that time has just been booked."

    def __init__(self, message: str | None = None, *, alternatives: list[Alternative] | None = None):
        super().__init__(message)
        self.alternatives = alternatives or []


class NotOffered(BookingError):
    default_message = "That therapist does not offer this treatment length."


class PolicyViolation(BookingError):
    default_message = "That time cannot be booked online."


@dataclass(frozen=True)
class Alternative:
    start: datetime
    therapist_id: int | None  # None when the patient had no preference


@dataclass(frozen=True)
class PatientDetails:
    name: str
    phone: PhoneNumber | str
    email: str = ""


def _is_overlap_violation(error: IntegrityError) -> bool:
    cause = error.__cause__
    diag = getattr(cause, "diag", None)
    return getattr(diag, "constraint_name", None) == OVERLAP_CONSTRAINT or OVERLAP_CONSTRAINT in str(error)


def _lock_therapists(ids) -> None:
    """Row locks on the therapists, always in the same order (a no-op on SQLite)."""
    list(Therapist.objects.select_for_update().filter(pk__in=ids).order_by("pk").values_list("pk", flat=True))


def _find_or_create_patient(details: PatientDetails | Patient) -> Patient:
    if isinstance(details, Patient):
        return details
    patient, created = Patient.objects.get_or_create(
        phone=details.phone, defaults={"name": details.name.strip(), "email": details.email}
    )
    # The phone identifies the patient; keep their name as the clinic knows it, but learn an
    # email address they give for the first time.
    if not created and details.email and not patient.email:
        patient.email = details.email
        patient.save(update_fields=["email"])
    return patient


def _booked_minutes_on_day(therapist_ids, day) -> dict[int, int]:
    start, end = local_day_bounds(day)
    rows = (
        Appointment.objects.holding_time()
        .filter(therapist_id__in=therapist_ids, start__gte=start, start__lt=end)
        .values("therapist_id")
        .annotate(total=Sum("length__minutes"))
    )
    return {r["therapist_id"]: r["total"] for r in rows}


def nearest_free_starts(
    *,
    length: TreatmentLength,
    around: datetime,
    therapist: Therapist | None,
    count: int = 3,
    online: bool = True,
    ignore_appointment_id: int | None = None,
) -> list[Alternative]:
    """The `count` free starts nearest to `around`, looking a week either side."""
    ids = [therapist.pk] if therapist else _offering_ids(length)
    day = timezone.localtime(around).date()
    found = find_free_starts(
        therapist_ids=ids,
        length=length,
        first_day=day - timedelta(days=7),
        last_day=day + timedelta(days=7),
        online=online,
        ignore_appointment_id=ignore_appointment_id,
    )
    starts = sorted({s for per_day in found.values() for day_starts in per_day.values() for s in day_starts})
    starts.sort(key=lambda s: (abs(s - around), s))
    return [Alternative(start=s, therapist_id=therapist.pk if therapist else None) for s in starts[:count]]


def _offering_ids(length: TreatmentLength) -> list[int]:
    return list(Therapist.objects.active().offering(length).values_list("pk", flat=True))


def _free_therapists_at(ids, length, start, *, online, ignore_appointment_id=None) -> list[int]:
    day = timezone.localtime(start).date()
    found = find_free_starts(
        therapist_ids=ids,
        length=length,
        first_day=day,
        last_day=day,
        online=online,
        ignore_appointment_id=ignore_appointment_id,
    )
    return [t for t in ids if start in found.get(t, {}).get(day, [])]


def _check_online_rules(start: datetime, policy: BookingPolicy, now: datetime) -> None:
    if start < now:
        raise PolicyViolation("That time has already passed. Please choose another time.")
    if start < now + policy.min_notice:
        raise PolicyViolation("That time is too soon to book online. Please choose a later time or phone us.")
    if timezone.localtime(start).date() > policy.last_day(now):
        raise PolicyViolation("That day is too far ahead to book online yet. Please choose an earlier day.")


def _candidates(length: TreatmentLength, therapist: Therapist | None, *, online_rules: bool) -> list[int]:
    """The therapists who could take this booking: the one named, or all who offer the length.

    Raises `NotOffered` for a withdrawn length, or a therapist who does not offer it (or, online,
    who is not taking bookings). Reception may still book an inactive therapist.
    """
    if not length.active or not length.treatment.active:
        raise NotOffered("That treatment length is no longer offered.")
    if therapist is None:
        return _offering_ids(length)
    if (online_rules and not therapist.active) or not length.therapists.filter(pk=therapist.pk).exists():
        raise NotOffered(f"{therapist.name} does not offer {length.minutes}-minute sessions.")
    return [therapist.pk]


def check_bookable(*, length: TreatmentLength, therapist: Therapist | None, start: datetime) -> None:
    """Whether a patient could book `length` at `start` online right now; writes nothing.

    The booking pages call this on every step so a bad or stale choice gets its message before
    the patient types anything; `create_booking` re-checks under the lock. Raises `NotOffered`,
    `PolicyViolation` (past, too soon, beyond the horizon, outside hours) or `SlotUnavailable`
    (taken; with the three nearest free starts).
    """
    ids = _candidates(length, therapist, online_rules=True)
    _check_online_rules(start, BookingPolicy.from_settings(), timezone.now())
    if _free_therapists_at(ids, length, start, online=True):
        return
    held_until = start + length.duration + length.buffer
    if Appointment.objects.holding_time().filter(therapist_id__in=ids).overlapping(start, held_until).exists():
        raise SlotUnavailable(alternatives=nearest_free_starts(length=length, around=start, therapist=therapist))
    raise PolicyViolation("That time is outside our hours for online booking. Please choose another time.")


def create_booking(
    *,
    length: TreatmentLength,
    start: datetime,
    patient: PatientDetails | Patient,
    therapist: Therapist | None = None,
    note: str = "",
    screening: dict | None = None,
    source: str = Appointment.Source.ONLINE,
    idempotency_key: str | None = None,
    online_rules: bool = True,
    notify_patient: bool = True,
    by_user=None,
) -> Appointment:
    """Book `length` at `start` with `therapist`, or with whoever is free if None.

    With no preference, the free therapist with the fewest booked minutes that day is chosen.
    Finds or creates the patient by phone. A repeated call with the same `idempotency_key`
    returns the appointment the first call made. Writes the confirmation and reminder SMS rows.

    Raises `SlotUnavailable` (with the three nearest free starts) if the time is not free,
    `NotOffered` if the therapist does not offer the length, `PolicyViolation` when
    `online_rules` is on and the time breaks the minimum notice or horizon.
    """
    if idempotency_key:
        existing = Appointment.objects.filter(idempotency_key=idempotency_key).first()
        if existing:
            return existing
    candidates = _candidates(length, therapist, online_rules=online_rules)
    if online_rules:
        _check_online_rules(start, BookingPolicy.from_settings(), timezone.now())

    try:
        with transaction.atomic():
            _lock_therapists(candidates)
            free = _free_therapists_at(candidates, length, start, online=online_rules)
            if not free and not online_rules and therapist is not None:
                # Reception may book a named therapist outside the grid or their hours (a patient
                # who phones), but never over another appointment.
                if clashes(None, therapist, length, start):
                    raise SlotUnavailable(clash_message(None, therapist, length, start))
                free = [therapist.pk]
            if not free:
                raise SlotUnavailable()
            if len(free) > 1:
                minutes = _booked_minutes_on_day(free, timezone.localtime(start).date())
                free.sort(key=lambda t: (minutes.get(t, 0), candidates.index(t)))
            appointment = Appointment(
                patient=_find_or_create_patient(patient),
                therapist_id=free[0],
                length=length,
                start=start,
                note=note,
                screening=screening or {},
                source=source,
                idempotency_key=idempotency_key or None,
            )
            appointment._history_user = by_user
            appointment.save()
            if notify_patient:
                notifications.booking_created(appointment)
    except SlotUnavailable as error:
        # Alternatives are looked up after the rollback, so no lock is held while searching.
        error.alternatives = nearest_free_starts(length=length, around=start, therapist=therapist, online=online_rules)
        raise
    except IntegrityError as error:
        if idempotency_key and (existing := Appointment.objects.filter(idempotency_key=idempotency_key).first()):
            return existing  # the same form submitted twice at once; the other request won
        if _is_overlap_violation(error):
            raise SlotUnavailable(
                alternatives=nearest_free_starts(length=length, around=start, therapist=therapist, online=online_rules)
            ) from error
        raise
    return appointment


def reschedule_booking(
    *,
    appointment: Appointment,
    start: datetime,
    therapist: Therapist | None = None,
    length: TreatmentLength | None = None,
    online_rules: bool = False,
    by_user=None,
) -> Appointment:
    """Move an appointment to another time, therapist or length, through the same guard.

    Writes a time-change notice and re-times the pending reminder. Raises `SlotUnavailable` if
    the new time is taken, `BookingError` if the appointment is no longer active.
    """
    therapist = therapist or appointment.therapist
    length = length or appointment.length
    if online_rules:
        _check_online_rules(start, BookingPolicy.from_settings(), timezone.now())
    try:
        with transaction.atomic():
            _lock_therapists({appointment.therapist_id, therapist.pk})
            current = Appointment.objects.select_for_update().get(pk=appointment.pk)
            if not current.holds_time:
                raise BookingError("Only a booked appointment can be moved.")
            if not length.therapists.filter(pk=therapist.pk).exists():
                raise NotOffered(f"{therapist} does not offer {length}.")
            if not _free_therapists_at(
                [therapist.pk], length, start, online=online_rules, ignore_appointment_id=current.pk
            ) and (online_rules or clashes(current, therapist, length, start)):
                raise SlotUnavailable(clash_message(current, therapist, length, start))
            old_start, old_therapist_id = current.start, current.therapist_id
            current.start, current.therapist, current.length = start, therapist, length
            current._history_user = by_user
            current.save()
            notifications.booking_moved(current, old_start=old_start, old_therapist_id=old_therapist_id)
    except IntegrityError as error:
        if _is_overlap_violation(error):
            raise SlotUnavailable(clash_message(appointment, therapist, length, start)) from error
        raise
    return current


def clashes(appointment, therapist, length, start) -> bool:
    """Whether another active appointment of `therapist` overlaps this one's held time (buffer
    included); `appointment` is the one being moved, or None for a new one. Reception may book
    outside working hours, but never over another appointment."""
    end = start + length.duration + length.buffer
    return (
        Appointment.objects.holding_time()
        .filter(therapist=therapist)
        .overlapping(start, end)
        .exclude(pk=appointment.pk if appointment else None)
        .exists()
    )


def clash_message(appointment, therapist, length, start) -> str:
    """The clash in words reception can act on: who already has the time, and when."""
    end = start + length.duration + length.buffer
    clash = (
        Appointment.objects.holding_time()
        .filter(therapist=therapist)
        .overlapping(start, end)
        .exclude(pk=appointment.pk if appointment else None)
        .select_related("patient")
        .first()
    )
    if clash is None:
        return f"{therapist} is not free at {timezone.localtime(start):%H:%M} on {timezone.localtime(start):%a %d %b}."
    return (
        f"{therapist} already has {clash.patient.name} ({clash.reference}) "
        f"{clash.local_start:%H:%M}–{clash.local_end:%H:%M} on {clash.local_start:%a %d %b}."
    )


def cancel_booking(
    *,
    appointment: Appointment,
    cancelled_by: str,
    reason: str = "",
    by_user=None,
    notify_patient: bool = True,
) -> Appointment:
    """Cancel an appointment, keeping it (and who, when and why) in the diary's history.

    Cancels its pending reminder; writes a cancellation SMS if `notify_patient`.
    """
    with transaction.atomic():
        current = Appointment.objects.select_for_update().get(pk=appointment.pk)
        if current.status == Appointment.Status.CANCELLED:
            return current
        if current.status != Appointment.Status.BOOKED:
            raise BookingError(f"An appointment marked {current.get_status_display().lower()} cannot be cancelled.")
        current.status = Appointment.Status.CANCELLED
        current.cancelled_at = timezone.now()
        current.cancelled_by = cancelled_by
        current.cancelled_by_user = by_user
        current.cancellation_reason = reason
        current._history_user = by_user
        current.save()
        notifications.booking_cancelled(current, notify_patient=notify_patient)
    return current


# Which status changes reception may make, from -> allowed targets.
STATUS_TRANSITIONS = {
    Appointment.Status.BOOKED: {Appointment.Status.ARRIVED, Appointment.Status.NO_SHOW, Appointment.Status.COMPLETED},
    Appointment.Status.ARRIVED: {Appointment.Status.COMPLETED, Appointment.Status.BOOKED, Appointment.Status.NO_SHOW},
    Appointment.Status.COMPLETED: {Appointment.Status.ARRIVED},
    Appointment.Status.NO_SHOW: {Appointment.Status.BOOKED, Appointment.Status.ARRIVED},
    Appointment.Status.CANCELLED: {Appointment.Status.BOOKED},
}


def set_status(*, appointment: Appointment, status: str, by_user=None) -> Appointment:
    """Mark an appointment arrived, completed or a no-show, or restore a cancelled one.

    Restoring into a time that was booked meanwhile raises `SlotUnavailable` naming the clash.
    Use `cancel_booking` to cancel.
    """
    try:
        with transaction.atomic():
            _lock_therapists([appointment.therapist_id])
            current = Appointment.objects.select_for_update().get(pk=appointment.pk)
            if current.status == status:
                return current
            if status not in STATUS_TRANSITIONS.get(current.status, set()):
                raise BookingError(
                    f"An appointment marked {current.get_status_display().lower()} cannot be marked "
                    f"{Appointment.Status(status).label.lower()}."
                )
            restoring = status in Appointment.Status.holding_time() and not current.holds_time
            if restoring and clashes(current, current.therapist, current.length, current.start):
                raise SlotUnavailable(
                    "That time has been booked by someone else since. "
                    + clash_message(current, current.therapist, current.length, current.start)
                )
            was_cancelled = current.status == Appointment.Status.CANCELLED
            current.status = status
            if was_cancelled:
                current.cancelled_at, current.cancelled_by, current.cancelled_by_user = None, "", None
                current.cancellation_reason = ""
            current._history_user = by_user
            current.save()
            if was_cancelled:
                notifications.booking_restored(current)
    except IntegrityError as error:
        if _is_overlap_violation(error):
            raise SlotUnavailable("That time has been booked by someone else since.") from error
        raise
    return current
