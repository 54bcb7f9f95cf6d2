"""A patient's data rights, answered from the admin: export everything, or erase it."""

from __future__ import annotations

from django.db import transaction

from clinic.core.personal_data import Plan, plan_erasure
from clinic.core.privacy import Export, PrivacyError, erase_subject, export_subject

from ..models import Patient
from ..personal_data import subject_for
from .errors import BookingError


def export_patient(*, patient: Patient, by_user=None) -> Export:
    """A ZIP (JSON + readable HTML) of everything every app holds about `patient` (see
    `clinic.core.privacy.export_subject`). Side effect: the export is recorded (who, when)."""
    return export_subject(subject=subject_for(patient), by_user=by_user)


def erasure_plan(*, patient: Patient) -> Plan:
    """What erasing `patient` would change, and what forbids it now (a read)."""
    return plan_erasure(subject_for(patient))


def erase_patient(*, patient: Patient, by_user=None) -> Patient:
    """Replace everything that identifies `patient` with neutral values, in one transaction.

    The patient row is locked first, so two erasures (or an erasure and an edit) queue. Raises
    `BookingError` while a future appointment is booked (cancel it first) or if the patient was
    erased already. Appointments stay, de-identified, for the clinic's figures. Side effect: the
    erasure is recorded (who, when, how many rows) without personal data.
    """
    with transaction.atomic():
        locked = Patient.objects.select_for_update().get(pk=patient.pk)
        if locked.erased_at:
            raise BookingError("This patient's details were erased already.")
        try:
            erase_subject(subject=subject_for(locked), by_user=by_user)
        except PrivacyError as error:
            raise BookingError(error.message) from error
    locked.refresh_from_db()
    return locked
