"""The patient's notice rule lives in the booking services, so every surface obeys it; the price
follows a change of length."""

from datetime import timedelta

import pytest
from django.utils import timezone

from bookings.models import Appointment
from bookings.policy import change_policy
from bookings.services import ChangeNotAllowed, cancel_booking, reschedule_booking
from clinic.core.models import ClinicSettings
from tests.bookings.diary_support import book
from tests.conftest import at

pytestmark = pytest.mark.django_db

PATIENT = Appointment.CancelledBy.PATIENT
CLINIC = Appointment.CancelledBy.CLINIC


@pytest.fixture
def soon(patient, alice, lengths, time_machine, next_monday):
    """An appointment 20 hours away, booked an hour ago: inside the default 24-hour notice period
    and past the grace period after booking."""
    time_machine.move_to(at(next_monday, "14:00") - timedelta(hours=21))
    appointment = book(patient, alice, lengths[30], at(next_monday, "14:00"))
    time_machine.move_to(at(next_monday, "14:00") - timedelta(hours=20))
    return appointment


@pytest.fixture
def later(patient, alice, lengths, next_monday):
    """An appointment on the Tuesday: outside the notice period even when `soon` moved the clock."""
    return book(patient, alice, lengths[30], at(next_monday + timedelta(days=1), "14:00"))


def test_a_patient_cannot_cancel_inside_the_notice_period_through_the_service(soon):
    with pytest.raises(ChangeNotAllowed, match="less than 24 hours"):
        cancel_booking(appointment=soon, cancelled_by=PATIENT)
    soon.refresh_from_db()
    assert soon.status == Appointment.Status.BOOKED


def test_reception_can_cancel_inside_the_notice_period(soon):
    cancel_booking(appointment=soon, cancelled_by=CLINIC, reason="Therapist unwell")
    soon.refresh_from_db()
    assert soon.status == Appointment.Status.CANCELLED


def test_a_patient_cannot_move_inside_the_notice_period_through_the_service(soon, next_monday):
    with pytest.raises(ChangeNotAllowed):
        reschedule_booking(appointment=soon, start=at(next_monday + timedelta(days=1), "10:00"), online_rules=True)
    soon.refresh_from_db()
    assert soon.start == at(next_monday, "14:00")


def test_the_refusal_names_the_clinics_phone(soon):
    policy = change_policy(soon)
    assert not policy.allowed
    assert ClinicSettings.load().phone.as_national in policy.refusal


def test_outside_the_notice_period_the_patient_may_change_until_a_stated_time(later):
    policy = change_policy(later)
    assert policy.allowed and policy.until == later.start - timedelta(hours=24)
    cancel_booking(appointment=later, cancelled_by=PATIENT)
    later.refresh_from_db()
    assert later.status == Appointment.Status.CANCELLED


def test_a_notice_period_set_by_the_manager_is_the_one_enforced(later, time_machine):
    clinic = ClinicSettings.load()
    clinic.cancellation_notice_hours = 48
    clinic.save()
    time_machine.move_to(later.start - timedelta(hours=30))
    with pytest.raises(ChangeNotAllowed, match="less than 48 hours"):
        cancel_booking(appointment=later, cancelled_by=PATIENT)


def test_moving_to_another_length_charges_the_new_lengths_price(later, lengths):
    assert later.price == lengths[30].price
    moved = reschedule_booking(appointment=later, start=later.start, length=lengths[60])
    assert (moved.length, moved.price) == (lengths[60], lengths[60].price)
    later.refresh_from_db()
    assert later.price == lengths[60].price


def test_moving_to_another_time_keeps_the_agreed_price_even_after_a_price_rise(later, lengths, next_monday):
    lengths[30].price += 5
    lengths[30].save()
    moved = reschedule_booking(appointment=later, start=at(next_monday, "15:00"))
    assert moved.price == later.price  # the price the patient agreed when booking


def test_the_confirmation_page_and_text_offer_online_changes_only_when_allowed(soon, later):
    from bookings import notifications

    # Answered the health questions (else the confirmation carries their link instead).
    Appointment.objects.update(screening_status=Appointment.ScreeningStatus.CLEAR)
    soon.refresh_from_db()
    later.refresh_from_db()
    assert "Change or cancel" not in notifications.queue(notifications.Kind.BOOKING_CONFIRMATION, soon).body
    assert "Change or cancel" in notifications.queue(notifications.Kind.BOOKING_CONFIRMATION, later).body


def test_a_reminder_due_inside_the_notice_period_carries_no_dead_link(later):
    from bookings import notifications

    due = later.start - timedelta(hours=20)
    body = notifications.queue(notifications.Kind.REMINDER, later, due_at=due).body
    assert "/manage/" not in body and "call" in body
    assert timezone.now() < due
