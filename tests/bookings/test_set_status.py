"""What happened at a visit can be marked only once its day has come; a no-show can be undone on
the day, keeping the history."""

from datetime import timedelta

import pytest

from bookings.models import Appointment
from bookings.services import BookingError, allowed_statuses, set_status
from tests.bookings.diary_support import book
from tests.conftest import at

pytestmark = pytest.mark.django_db
Status = Appointment.Status


@pytest.fixture
def tomorrows(patient, alice, lengths, time_machine, next_monday):
    time_machine.move_to(at(next_monday, "10:00") - timedelta(days=1))
    return book(patient, alice, lengths[30], at(next_monday, "10:00"))


@pytest.mark.parametrize("status", [Status.ARRIVED, Status.NO_SHOW, Status.COMPLETED])
def test_tomorrows_appointment_cannot_be_marked_what_happened_yet(tomorrows, status):
    with pytest.raises(BookingError, match="from its day on"):
        set_status(appointment=tomorrows, status=status)
    tomorrows.refresh_from_db()
    assert tomorrows.status == Status.BOOKED
    assert allowed_statuses(tomorrows) == set()


def test_on_the_day_it_can_be_marked_arrived_then_completed(tomorrows, time_machine):
    time_machine.move_to(tomorrows.start - timedelta(minutes=5))
    set_status(appointment=tomorrows, status=Status.ARRIVED)
    set_status(appointment=tomorrows, status=Status.COMPLETED)
    tomorrows.refresh_from_db()
    assert tomorrows.status == Status.COMPLETED


def test_a_no_show_can_be_undone_on_the_day_and_history_keeps_both(tomorrows, time_machine, receptionist):
    time_machine.move_to(tomorrows.start + timedelta(minutes=20))
    set_status(appointment=tomorrows, status=Status.NO_SHOW, by_user=receptionist)
    set_status(appointment=tomorrows, status=Status.ARRIVED, by_user=receptionist)
    statuses = list(tomorrows.history.order_by("history_date").values_list("status", flat=True))
    assert statuses[-2:] == [Status.NO_SHOW, Status.ARRIVED]


def test_a_no_show_cannot_be_undone_on_a_later_day(tomorrows, time_machine):
    time_machine.move_to(tomorrows.start + timedelta(minutes=20))
    set_status(appointment=tomorrows, status=Status.NO_SHOW)
    time_machine.move_to(tomorrows.start + timedelta(days=1))
    with pytest.raises(BookingError, match="only be undone on the day"):
        set_status(appointment=tomorrows, status=Status.BOOKED)
