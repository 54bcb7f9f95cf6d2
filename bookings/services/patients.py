"""Patients' own details, as reception records them."""

from __future__ import annotations

from django.db import IntegrityError, transaction

from ..models import Patient
from .errors import BookingError

EDITABLE = ("name", "phone", "email")


def save_patient_details(*, patient: Patient | None, name: str, phone, email: str = "", by_user=None) -> Patient:
    """Create a patient (`patient=None`) or correct an existing one's name, phone or email.

    The phone identifies a patient, so a number another patient already has is refused with
    `BookingError` naming them (the database's unique constraint has the last word when two
    members of staff race). History records who made the change.
    """
    try:
        with transaction.atomic():
            target = Patient() if patient is None else Patient.objects.select_for_update().get(pk=patient.pk)
            target.name, target.phone, target.email = " ".join(name.split()), phone, email
            target._history_user = by_user
            target.save()
    except IntegrityError as error:
        other = Patient.objects.filter(phone=phone).exclude(pk=getattr(patient, "pk", None)).first()
        if other is None:
            raise
        raise BookingError(f"{other.name} already has this phone number.") from error
    return target
