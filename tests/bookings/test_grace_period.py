"""The grace period: just after booking, a patient may cancel or change online however close the
appointment is (a wrong time or person booked a moment ago), for the minutes the manager sets.
The services enforce it under the lock, as they do the notice rule."""

from datetime import timedelta

import pytest

from bookings.models import Appointment
from bookings.policy import change_policy
from bookings.services import ChangeNotAllowed, cancel_booking, reschedule_booking
from clinic.core.models import ClinicSettings
from tests.bookings.diary_support import book
from tests.conftest import at

pytestmark = pytest.mark.django_db

PATIENT = Appointment.CancelledBy.PATIENT


@pytest.fixture
def booked_for_tomorrow(patient, alice, lengths, time_machine, next_monday):
    """Booked at 09:00 on the Sunday for 14:00 on the Monday: 29 hours ahead, well inside a
    48-hour notice period, so only the grace period (10 minutes by default) allows a change."""
    clinic = ClinicSettings.load()
    clinic.cancellation_notice_hours = 48
    clinic.save()
    time_machine.move_to(at(next_monday - timedelta(days=1), "09:00"), tick=False)
    return book(patient, alice, lengths[30], at(next_monday, "14:00"))


def test_the_default_grace_period_is_ten_minutes(db):
    assert ClinicSettings.load().change_grace_minutes == 10


def test_inside_the_grace_period_the_patient_may_cancel_whatever_the_notice(booked_for_tomorrow, time_machine):
    time_machine.shift(timedelta(minutes=9, seconds=59))
    policy = change_policy(booked_for_tomorrow)
    assert policy.allowed and policy.in_grace
    assert policy.until == booked_for_tomorrow.created_at + timedelta(minutes=10)

    cancelled = cancel_booking(appointment=booked_for_tomorrow, cancelled_by=PATIENT)
    assert cancelled.status == Appointment.Status.CANCELLED


def test_just_past_the_grace_period_the_notice_rule_refuses(booked_for_tomorrow, time_machine):
    time_machine.shift(timedelta(minutes=10))
    assert not change_policy(booked_for_tomorrow).allowed

    with pytest.raises(ChangeNotAllowed, match="less than 48 hours"):
        cancel_booking(appointment=booked_for_tomorrow, cancelled_by=PATIENT)
    booked_for_tomorrow.refresh_from_db()
    assert booked_for_tomorrow.status == Appointment.Status.BOOKED


def test_inside_the_grace_period_the_patient_may_move_and_just_past_it_may_not(
    booked_for_tomorrow, time_machine, next_monday
):
    time_machine.shift(timedelta(minutes=5))
    moved = reschedule_booking(appointment=booked_for_tomorrow, start=at(next_monday, "15:00"), online_rules=True)
    assert moved.start == at(next_monday, "15:00")

    time_machine.shift(timedelta(minutes=5))
    with pytest.raises(ChangeNotAllowed):
        reschedule_booking(appointment=moved, start=at(next_monday, "16:00"), online_rules=True)


def test_the_grace_period_is_the_managers_to_set(booked_for_tomorrow, time_machine):
    clinic = ClinicSettings.load()
    clinic.change_grace_minutes = 30
    clinic.save()
    time_machine.shift(timedelta(minutes=29))
    assert change_policy(booked_for_tomorrow).allowed

    clinic.change_grace_minutes = 0
    clinic.save()
    time_machine.shift(timedelta(seconds=-60 * 29))
    assert not change_policy(booked_for_tomorrow).allowed


def test_the_grace_period_never_runs_past_the_start(patient, alice, lengths, time_machine, next_monday):
    start = at(next_monday, "14:00")
    time_machine.move_to(start - timedelta(minutes=5), tick=False)
    appointment = book(patient, alice, lengths[30], start)

    assert change_policy(appointment).until == start
    time_machine.shift(timedelta(minutes=5))
    assert not change_policy(appointment).allowed
