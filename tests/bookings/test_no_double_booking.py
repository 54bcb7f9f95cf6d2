"""Rule 1: two active appointments of one therapist never overlap, enforced by PostgreSQL."""

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction

from bookings.models import Appointment
from bookings.services import SlotUnavailable, cancel_booking, set_status
from tests.conftest import at

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def insert(patient, therapist, length, start, **extra):
    """A raw insert that bypasses the booking service, so only the database can object."""
    return Appointment.objects.create(patient=patient, therapist=therapist, length=length, start=start, **extra)


def test_the_database_rejects_an_overlapping_appointment_for_the_same_therapist(patient, alice, lengths, next_monday):
    insert(patient, alice, lengths[60], at(next_monday, "10:00"))
    with pytest.raises(IntegrityError) as error, transaction.atomic():
        insert(patient, alice, lengths[30], at(next_monday, "10:30"))
    assert error.value.__cause__.diag.constraint_name == "appointment_no_overlap"


def test_back_to_back_appointments_are_allowed(patient, alice, lengths, next_monday):
    insert(patient, alice, lengths[60], at(next_monday, "10:00"))
    insert(patient, alice, lengths[30], at(next_monday, "11:00"))
    assert Appointment.objects.filter(therapist=alice).count() == 2


def test_another_therapist_at_the_same_time_is_allowed(patient, alice, ben, lengths, next_monday):
    insert(patient, alice, lengths[60], at(next_monday, "10:00"))
    insert(patient, ben, lengths[60], at(next_monday, "10:00"))
    assert Appointment.objects.count() == 2


def test_the_buffer_after_an_appointment_is_held_too(patient, alice, lengths, next_monday):
    lengths[60].buffer_minutes = 15
    lengths[60].save()
    insert(patient, alice, lengths[60], at(next_monday, "10:00"))
    with pytest.raises(IntegrityError), transaction.atomic():
        insert(patient, alice, lengths[30], at(next_monday, "11:00"))
    insert(patient, alice, lengths[30], at(next_monday, "11:15"))


def test_a_cancelled_appointment_frees_its_time(patient, alice, lengths, next_monday):
    first = insert(patient, alice, lengths[60], at(next_monday, "10:00"))
    cancel_booking(appointment=first, cancelled_by=Appointment.CancelledBy.CLINIC, reason="Patient unwell")
    insert(patient, alice, lengths[60], at(next_monday, "10:00"))
    assert Appointment.objects.holding_time().count() == 1


def test_restoring_a_cancelled_appointment_into_a_time_taken_meanwhile_is_refused_clearly(
    patient, alice, lengths, next_monday
):
    first = insert(patient, alice, lengths[60], at(next_monday, "10:00"))
    cancel_booking(appointment=first, cancelled_by=Appointment.CancelledBy.CLINIC, reason="Patient unwell")
    taker = insert(patient, alice, lengths[30], at(next_monday, "10:30"))
    with pytest.raises(SlotUnavailable) as error:
        set_status(appointment=first, status=Appointment.Status.BOOKED)
    assert "booked by someone else" in error.value.message
    assert taker.reference in error.value.message
    first.refresh_from_db()
    assert first.status == Appointment.Status.CANCELLED


def test_model_validation_reports_the_clash_before_touching_the_table(patient, alice, lengths, next_monday):
    from django.core.exceptions import ValidationError

    insert(patient, alice, lengths[60], at(next_monday, "10:00"))
    clash = Appointment(patient=patient, therapist=alice, length=lengths[45], start=at(next_monday, "10:15"))
    with pytest.raises(ValidationError) as error:
        clash.full_clean()
    assert "already has an appointment" in str(error.value)
    assert clash.end - clash.start == timedelta(minutes=45)
