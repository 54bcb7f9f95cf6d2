"""What bookings holds about a patient, for the personal-data registry (`clinic.core.personal_data`).

Three categories here: the patient's own details (name, phone, email, with their history), their
appointments (with the note, and their history) and their courses of sessions (with why the rest
of one was cancelled); the health answers and consent records are
`bookings.screening.personal_data`. Erasure keeps the
appointment rows, de-identified, so the diary's figures (time, length, therapist, status, price)
stay true; the patient row stays as "Erased patient" with no number, so those rows still point
somewhere. Retention erases patients with no appointment for `PATIENT_RETENTION_YEARS` (8 by
default, the health-record retention period for adults).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.db.models import Max, Q
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

from clinic.core.personal_data import NEUTRAL_NAME, Applied, Category, Retention, Subject

from .models import Appointment, Course, Patient

LAWFUL_BASIS_BOOKING = (
    "Contract: to book and provide the treatment you ask for; legitimate interests: to run the clinic's diary."
)
LAWFUL_BASIS_HEALTH = (
    "Your note and screening answers are health data: we hold them to provide health care (UK GDPR article 9(2)(h)) "
    "and with your explicit consent when you give them online (article 9(2)(a))."
)


def subject_for(patient: Patient) -> Subject:
    """The registry's view of a patient: their row, name, number and email."""
    return Subject(
        patient_id=patient.pk,
        name=patient.name,
        phones=(patient.phone.as_e164,) if patient.phone else (),
        emails=(patient.email,) if patient.email else (),
    )


def _appointments(subject: Subject) -> models.QuerySet:
    return Appointment.objects.filter(patient_id=subject.patient_id)


def _history(records, fields: tuple[str, ...]) -> list[dict]:
    return [
        {
            "when": record.history_date,
            "change": record.get_history_type_display(),
            "by": record.history_user.get_username() if record.history_user_id else "online or automatic",
            **{field: getattr(record, field) for field in fields},
        }
        for record in records.select_related("history_user").order_by("history_date")
    ]


# --- the patient's own details -------------------------------------------------------------------


def _export_patient(subject: Subject) -> list[dict]:
    patient = Patient.objects.filter(pk=subject.patient_id).first()
    if patient is None:
        return []
    return [
        {
            "name": patient.name,
            "phone": patient.phone.as_e164 if patient.phone else "",
            "email": patient.email,
            "first recorded": patient.created_at,
            "history": _history(patient.history.all(), ("name", "phone", "email")),
        }
    ]


def erase_patient_row(subject: Subject) -> int:
    """Neutral values on the patient row and every historical copy of it."""
    neutral = {"name": NEUTRAL_NAME, "phone": None, "email": ""}
    Patient.history.filter(id=subject.patient_id).update(**neutral)
    return Patient.objects.filter(pk=subject.patient_id).update(erased_at=timezone.now(), **neutral)


def _refuse_while_booked(subject: Subject) -> str | None:
    upcoming = _appointments(subject).filter(status=Appointment.Status.BOOKED, start__gte=timezone.now())
    first = upcoming.order_by("start").first()
    if first is None:
        return None
    count = upcoming.count()
    return (
        f"This patient has {count} appointment{'s' if count != 1 else ''} still to come "
        f"(the next {first.local_start:%a %d %b %Y %H:%M}, {first.reference}). Cancel "
        f"{'them' if count != 1 else 'it'} first, then erase."
    )


# --- retention: patients with no appointment for years --------------------------------------------


def inactive_patients(now: datetime) -> models.QuerySet:
    """Patients not yet erased whose last appointment (or, with none, their record) is older than
    the retention period. A future appointment is never older, so booked patients never qualify."""
    cutoff = now - timedelta(days=round(365.25 * settings.PATIENT_RETENTION_YEARS))
    return (
        Patient.objects.filter(erased_at__isnull=True)
        .alias(last_seen=Greatest("created_at", Coalesce(Max("appointments__start"), "created_at")))
        .filter(last_seen__lt=cutoff)
    )


def _erase_inactive(rows: models.QuerySet, now: datetime) -> Applied:
    """Erase each, as a manager's erasure would (each erasure also scrubs its admin log)."""
    from .services.privacy import erase_patient

    erased = [erase_patient(patient=patient, by_user=None) for patient in rows]
    return Applied(len(erased))


PATIENT = Category(
    key="bookings.patient",
    title="Your details",
    order=10,
    holds="Your name, mobile number and email address, and a history of changes to them.",
    purpose="To know who is booked, contact you about your appointments and recognise you when you book again.",
    lawful_basis=LAWFUL_BASIS_BOOKING,
    objects=lambda subject: Patient.objects.filter(pk=subject.patient_id),
    export=_export_patient,
    erase=erase_patient_row,
    preview=lambda subject: f'Name, phone and email replaced by "{NEUTRAL_NAME}", with their history.',
    refuse_erasure=_refuse_while_booked,
    retention=(
        Retention(
            key="bookings.patients",
            action="patients with no appointment for years: erased",
            notice=lambda: (
                f"your details, appointments and notes are kept for {settings.PATIENT_RETENTION_YEARS} years after "
                "your last appointment (as for adults' health records), then erased"
            ),
            candidates=inactive_patients,
            apply=_erase_inactive,
            order=90,
        ),
    ),
)


# --- appointments ---------------------------------------------------------------------------------

APPOINTMENT_EXPORT_HISTORY = ("start", "status", "note", "screening_status", "cancellation_reason")


def _export_appointments(subject: Subject) -> list[dict]:
    appointments = _appointments(subject).select_related("therapist", "length__treatment").order_by("start")
    return [
        {
            "reference": a.reference,
            "start": a.start,
            "end": a.end,
            "treatment": f"{a.length.treatment.name}, {a.length.minutes} min",
            "therapist": a.therapist.name,
            "price": a.price,
            "status": a.get_status_display(),
            "booked": f"{a.get_source_display()}, {timezone.localtime(a.created_at):%d %b %Y %H:%M}",
            "your note": a.note,
            "health screening": a.get_screening_status_display(),
            "cancelled": a.cancelled_at,
            "cancellation reason": a.cancellation_reason,
            "history": _history(a.history.all(), APPOINTMENT_EXPORT_HISTORY),
        }
        for a in appointments
    ]


def _erase_appointments(subject: Subject) -> int:
    """Keep time, length, therapist, status and price; drop what the patient told us."""
    clinical = {"note": "", "cancellation_reason": ""}
    ids = list(_appointments(subject).values_list("pk", flat=True))
    Appointment.history.filter(id__in=ids).update(**clinical)
    return Appointment.objects.filter(pk__in=ids).update(idempotency_key=None, **clinical)


def _preview_appointments(subject: Subject) -> str:
    appointments = _appointments(subject)
    count = appointments.count()
    if not count:
        return ""
    with_notes = appointments.filter(~Q(note="")).count()
    return (
        f"{count} appointment{'s' if count != 1 else ''} kept for the clinic's figures (time, length, therapist, "
        f"status, price) but no longer linked to a person; notes removed ({with_notes} had one), with their history."
    )


APPOINTMENTS = Category(
    key="bookings.appointments",
    title="Appointments",
    order=20,
    holds="Your appointments (time, treatment, therapist, price, status), any note you give about the problem, "
    "and a history of changes to each appointment.",
    purpose="To provide your treatment safely and keep the clinical records a health care provider must keep.",
    lawful_basis=f"{LAWFUL_BASIS_BOOKING} {LAWFUL_BASIS_HEALTH}",
    objects=_appointments,
    export=_export_appointments,
    erase=_erase_appointments,
    preview=_preview_appointments,
)


# --- courses of sessions --------------------------------------------------------------------------


def _courses(subject: Subject) -> models.QuerySet:
    return Course.objects.filter(patient_id=subject.patient_id)


def _export_courses(subject: Subject) -> list[dict]:
    courses = _courses(subject).select_related("therapist", "length__treatment").prefetch_related("sessions")
    return [
        {
            "treatment": f"{c.length.treatment.name}, {c.length.minutes} min",
            "therapist": c.therapist.name,
            "every": "week" if c.every_weeks == 1 else f"{c.every_weeks} weeks",
            "booked": c.created_at,
            "sessions": [s.reference for s in sorted(c.sessions.all(), key=lambda s: s.start)],
            "rest cancelled": c.cancelled_at,
            "cancellation reason": c.cancellation_reason,
        }
        for c in courses
    ]


def _erase_courses(subject: Subject) -> int:
    """Keep the course (its sessions are kept for the figures); drop what was said about it."""
    return _courses(subject).update(cancellation_reason="")


COURSES = Category(
    key="bookings.courses",
    title="Courses of sessions",
    order=25,
    holds="Courses of sessions booked together: the treatment, therapist and how often, which appointments "
    "belong to it, and why the rest of a course was cancelled.",
    purpose="To book and remind you of a course of treatment in one go, and cancel what is left of it if asked.",
    lawful_basis=LAWFUL_BASIS_BOOKING,
    objects=_courses,
    export=_export_courses,
    erase=_erase_courses,
    preview=lambda subject: (
        f"{n} course{'s' if n != 1 else ''} kept with {'their' if n != 1 else 'its'} sessions; any cancellation "
        "reason removed."
        if (n := _courses(subject).count())
        else ""
    ),
)
