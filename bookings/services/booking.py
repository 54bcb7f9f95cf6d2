"""Booking an appointment, and the checks every write to the diary shares.

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

from django.db import IntegrityError, OperationalError, transaction
from django.utils import timezone
from phonenumber_field.phonenumber import PhoneNumber

from clinic.core.db import is_lock_timeout
from clinic.core.versions import bump
from therapists.models import Therapist

from .. import notifications
from ..catalogue import load_catalogue
from ..consents import ConsentRecord
from ..lengths import sessions
from ..models import Appointment, Patient, TreatmentLength
from ..schedules import ANY_DIARY, BookingPolicy, diary_version, free_and_held_on_day
from ..screening import services as screening_services
from ..screening.questions import Answers
from .consents import consent_records
from .errors import AlreadyBooked, BookingError, Busy, NotOffered, PolicyViolation, SlotUnavailable
from .free_times import (
    clash_message,
    clashes,
    free_therapists_at,
    nearest_free_starts,
    not_free_refusal,
    offering_ids,
)

OVERLAP_CONSTRAINT = "appointment_no_overlap"


@dataclass(frozen=True)
class PatientDetails:
    name: str
    phone: PhoneNumber | str
    email: str = ""


def is_overlap_violation(error: IntegrityError) -> bool:
    """Whether the database refused a write because the therapist's time was taken meanwhile."""
    cause = error.__cause__
    diag = getattr(cause, "diag", None)
    return getattr(diag, "constraint_name", None) == OVERLAP_CONSTRAINT or OVERLAP_CONSTRAINT in str(error)


def diary_changed(*therapist_ids) -> None:
    """Every write to appointments calls this for each therapist whose diary it changed: cached
    availability is keyed by these versions (`clinic.core.versions`; bumped now and on commit)."""
    bump(ANY_DIARY, *(diary_version(t) for t in set(therapist_ids)))


def lock_therapists(ids) -> dict[int, Therapist]:
    """Row locks on the therapists, always in the same order (a no-op on SQLite); returns them."""
    return {t.pk: t for t in Therapist.objects.select_for_update().filter(pk__in=ids).order_by("pk")}


def _patient_for(details: PatientDetails | Patient, known: Patient | None) -> Patient:
    """The patient to book: `known` (found by phone already) or a new one.

    A new patient is inserted without a savepoint of its own: if another booking inserted the
    same phone meanwhile, the unique constraint fails the whole booking and `create_booking`
    runs it again, when the lookup finds them."""
    if isinstance(details, Patient):
        return known  # the row as locked and re-read by _known_patient
    if known is None:
        return Patient.objects.create(phone=details.phone, name=details.name.strip(), email=details.email)
    # The phone identifies the patient; keep their name as the clinic knows it, but learn an
    # email address they give for the first time.
    if details.email and not known.email:
        known.email = details.email
        known.save(update_fields=["email"])
    return known


def _known_patient(details: PatientDetails | Patient) -> Patient | None:
    """The patient these details name, if the clinic knows them already (by phone), row locked.

    The lock makes a booking queue behind an erasure of the same patient (which locks the row
    first): the booking then finds the phone gone and books a new record, or, naming the record
    itself, is refused; never a future appointment on an erased record (tests/bookings/
    test_erasure_race.py)."""
    if isinstance(details, Patient):
        locked = Patient.objects.select_for_update().get(pk=details.pk)
        if locked.erased_at:
            raise BookingError("This patient's details were erased; book them as a new patient.")
        return locked
    return Patient.objects.select_for_update().filter(phone=details.phone).first()


def patient_overlaps(*, patient: Patient, start: datetime, end: datetime, exclude_id: int | None = None):
    """The patient's other time-holding appointments overlapping [start, end) (a read)."""
    return (
        Appointment.objects.holding_time()
        .filter(patient=patient, start__lt=end, end__gt=start)
        .exclude(pk=exclude_id)
        .select_related("therapist")
    )


def check_online_rules(start: datetime, policy: BookingPolicy, now: datetime) -> None:
    if start < now:
        raise PolicyViolation("That time has already passed. Please choose another time.")
    if start < now + policy.min_notice:
        raise PolicyViolation("That time is too soon to book online. Please choose a later time or phone us.")
    if timezone.localtime(start).date() > policy.last_day(now):
        raise PolicyViolation("That day is too far ahead to book online yet. Please choose an earlier day.")


def candidates(length: TreatmentLength, therapist: Therapist | None, *, online_rules: bool) -> list[int]:
    """The therapists who could take this booking: the one named, or all who offer the length.

    Raises `NotOffered` for a withdrawn length, or a therapist who does not offer it (or, online,
    who is not taking bookings). Reception may still book an inactive therapist. Online, this is
    answered from the cached catalogue of what patients can book (no query).
    """
    if online_rules:
        catalogue = load_catalogue()
        if catalogue.length(length.pk) is None:
            raise NotOffered("That treatment length is no longer offered.")
        if therapist is None:
            return catalogue.offering(length)
        if catalogue.therapist(therapist.pk) is None or not catalogue.offers(therapist, length):
            raise NotOffered(f"{therapist.name} does not offer {sessions(length, named=catalogue.names_treatments)}.")
        return [therapist.pk]
    if not length.active or not length.treatment.active:
        raise NotOffered("That treatment length is no longer offered.")
    if therapist is None:
        return offering_ids(length)
    if not length.therapists.filter(pk=therapist.pk).exists():
        raise NotOffered(f"{therapist.name} does not offer {sessions(length)}.")
    return [therapist.pk]


def check_bookable(*, length: TreatmentLength, therapist: Therapist | None, start: datetime) -> None:
    """Whether a patient could book `length` at `start` online right now; writes nothing.

    The booking pages call this when they show a chosen time, so a bad or stale choice gets its
    message before the patient types anything; `create_booking` re-checks under the lock. Raises
    `NotOffered`, `PolicyViolation` (past, too soon, beyond the horizon, outside hours) or
    `SlotUnavailable` (taken; with the three nearest free starts).
    """
    ids = candidates(length, therapist, online_rules=True)
    check_online_rules(start, BookingPolicy.from_settings(), timezone.now())
    if not free_therapists_at(ids, length, start, online=True, cache=True):
        refusal = not_free_refusal(ids, length, start)
        if isinstance(refusal, SlotUnavailable):
            refusal.alternatives = nearest_free_starts(length=length, around=start, therapist=therapist)
        raise refusal


def _refuse_patient_overlap(patient: Patient | None, length: TreatmentLength, start: datetime) -> None:
    if patient is None:
        return
    held = patient_overlaps(patient=patient, start=start, end=start + length.duration).first()
    if held is not None:
        raise AlreadyBooked(
            f"You already have an appointment at {held.local_start:%H:%M} on {held.local_start:%a %-d %b} "
            f"(reference {held.reference}), so we have not booked another at the same time.",
            appointment=held,
        )


def create_booking(
    *,
    length: TreatmentLength,
    start: datetime,
    patient: PatientDetails | Patient,
    therapist: Therapist | None = None,
    note: str = "",
    screening: Answers | None = None,
    consents: tuple[str, ...] = (),
    source: str = Appointment.Source.ONLINE,
    idempotency_key: str | None = None,
    online_rules: bool = True,
    notify_patient: bool = True,
    by_user=None,
    course=None,
) -> Appointment:
    """Book `length` at `start` with `therapist`, or with whoever is free if None.

    With no preference, the free therapist whose appointments hold the least time that day is
    chosen.
    Finds or creates the patient by phone. A repeated call with the same `idempotency_key`
    returns the appointment the first call made, even when the calls run at the same time (the
    key is looked for under the lock, before any other check). Writes the confirmation and
    reminder SMS rows. Availability is loaded once, under the lock.

    Raises `SlotUnavailable` (with the three nearest free starts) if the time is not free,
    `Busy` (the same, with "please try again") if another transaction held the therapist's lock
    past the database's lock_timeout, `NotOffered` if the therapist does not offer the length;
    with `online_rules` (a patient booking online), `PolicyViolation` when the time breaks the
    minimum notice or horizon, and `AlreadyBooked` when the patient already holds an appointment
    overlapping it (reception may book that on purpose; the admin warns instead). `course` makes
    it a session of that course (`book_course` books a course's sessions through here).

    `screening` is the patient's health answers (online): stored with their consent, they set the
    appointment's screening badge, and a refer answer raises `NeedsClinicalReview` (nothing is
    booked). Without answers (reception) the appointment is "not yet screened" and its texts carry
    the link to the questions. `consents` are the purposes the patient ticked for the booking.
    """
    if isinstance(patient, Patient) and patient.erased_at:
        raise BookingError("This patient's details were erased; book them as a new patient.")
    ids = candidates(length, therapist, online_rules=online_rules)
    if screening is not None:
        screening_services.plan_booking_answers(answers=screening, patient=None)  # refer answers: refused early
    for attempt in range(UNIQUE_CLASH_ATTEMPTS):
        try:
            return _book_under_lock(
                ids=ids,
                length=length,
                start=start,
                patient=patient,
                therapist=therapist,
                appointment_fields={
                    "length": length,
                    "start": start,
                    "note": note,
                    "source": source,
                    "idempotency_key": idempotency_key or None,
                    "course": course,
                },
                screening=screening,
                consents=consents,
                online_rules=online_rules,
                notify_patient=notify_patient,
                by_user=by_user,
            )
        except SlotUnavailable as error:
            # Alternatives are looked up after the rollback, so no lock is held while searching.
            error.alternatives = nearest_free_starts(
                length=length, around=start, therapist=therapist, online=online_rules
            )
            raise
        except IntegrityError as error:
            if idempotency_key and (existing := _booked_with_key(idempotency_key)):
                return existing  # the same form submitted twice at once; the other request won
            if is_overlap_violation(error):
                raise SlotUnavailable(
                    alternatives=nearest_free_starts(
                        length=length, around=start, therapist=therapist, online=online_rules
                    )
                ) from error
            if not _is_unique_clash(error) or attempt == UNIQUE_CLASH_ATTEMPTS - 1:
                raise
            # A new patient's phone inserted by another booking meanwhile, or a reference drawn
            # twice: run the booking again (it finds the patient, draws another reference).
        except OperationalError as error:
            if not is_lock_timeout(error):
                raise
            # A stalled transaction holds the diary; answer now rather than keep the patient waiting.
            raise Busy(
                alternatives=nearest_free_starts(length=length, around=start, therapist=therapist, online=online_rules)
            ) from error
    raise AssertionError("unreachable")


# Clashes on a unique column (a patient's phone, an appointment's reference) are retried this
# many times in all: each is rare, twice in a row rarer still.
UNIQUE_CLASH_ATTEMPTS = 3


def _is_unique_clash(error: IntegrityError) -> bool:
    text = str(error)
    return "phone" in text or "reference" in text


def _book_under_lock(
    *,
    ids,
    length,
    start,
    patient,
    therapist,
    appointment_fields,
    screening,
    consents,
    online_rules,
    notify_patient,
    by_user,
) -> Appointment:
    """One attempt of `create_booking`: lock, re-check, write, in one transaction."""
    with transaction.atomic():
        locked = lock_therapists(ids)
        # Identical submissions queue on the same locks; the ones behind the first find its
        # booking here and land on the same confirmation instead of "just taken".
        key = appointment_fields["idempotency_key"]
        if key and (existing := _booked_with_key(key)):
            return existing
        if online_rules:
            # After the key: a form sent again after its time came too close still lands on
            # what it booked. (Checking the clock under the lock costs nothing: no query.)
            check_online_rules(start, BookingPolicy.from_settings(), timezone.now())
        known = _known_patient(patient)
        if online_rules:
            _refuse_patient_overlap(known, length, start)
        day = timezone.localtime(start).date()
        free_by_therapist, held = free_and_held_on_day(therapist_ids=ids, length=length, day=day, online=online_rules)
        free = [t for t in ids if start in free_by_therapist[t]]
        if not free and not online_rules and therapist is not None:
            # Reception may book a named therapist outside the grid or their hours (a patient
            # who phones), but never over another appointment.
            if clashes(None, therapist, length, start):
                raise SlotUnavailable(clash_message(None, therapist, length, start))
            free = [therapist.pk]
        if not free:
            raise not_free_refusal(ids, length, start) if online_rules else SlotUnavailable()
        if len(free) > 1:
            free.sort(key=lambda t: (held.get(t, timedelta(0)), ids.index(t)))
        booked_patient = _patient_for(patient, known)
        # A patient new to the clinic has no earlier answers to look for.
        plan = screening and screening_services.plan_booking_answers(answers=screening, patient=known)
        appointment = Appointment(
            patient=booked_patient,
            therapist=locked.get(free[0]) or therapist,
            **appointment_fields,
        )
        if plan:
            appointment.screening_status, appointment.answers_changed = plan.status, plan.answers_changed
        appointment._history_user = by_user
        # A clashing reference fails the whole attempt (no savepoint per row); the caller retries.
        appointment.save(redraw_reference=False)
        diary_changed(appointment.therapist_id)
        # Every consent ticked (to the answers' use, to the booking's terms) in one INSERT.
        given = []
        if plan:
            screening_services.store_booking_answers(appointment=appointment, plan=plan, consents=given)
        given += consent_records(purposes=consents, about=appointment, patient=booked_patient)
        ConsentRecord.objects.bulk_create(given)
        if notify_patient:
            notifications.booking_created(appointment)
    return appointment


def _booked_with_key(key: str) -> Appointment | None:
    return Appointment.objects.filter(idempotency_key=key).first()
