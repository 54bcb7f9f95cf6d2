"""Rule 1 under real concurrency: threads with their own PostgreSQL connections, released at once.

Each thread calls `create_booking` exactly as the booking page does. The outcome must be what a
patient would see: one booking, everyone else "Sorry, that time has just been booked", and never
a deadlock, an integrity error or any other failure reaching the caller.
"""

from datetime import timedelta

import pytest

from bookings.models import Appointment
from bookings.services import BookingError, PatientDetails, SlotUnavailable, create_booking
from clinic.core.models import ClinicSettings
from tests import threads
from tests.conftest import at

pytestmark = [pytest.mark.postgres, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

ROUNDS = 5


def run_together(calls):
    return threads.run_together(calls, answers=(BookingError,))


def patient_number(i: int) -> PatientDetails:
    return PatientDetails(name=f"Patient {i}", phone=f"+4477009002{i:02d}")


def test_twenty_patients_booking_the_same_time_get_one_booking_and_nineteen_friendly_refusals(
    alice, lengths, next_monday
):
    ClinicSettings.load()  # so no thread races to create the settings row
    for round_number in range(ROUNDS):
        start = at(next_monday + timedelta(days=round_number), "10:00")  # Monday to Friday

        def book(i, start=start):
            return create_booking(length=lengths[60], therapist=alice, start=start, patient=patient_number(i))

        results, errors = run_together([lambda i=i: book(i) for i in range(20)])

        assert errors == []
        booked = [r for r in results if isinstance(r, Appointment)]
        refused = [r for r in results if isinstance(r, SlotUnavailable)]
        assert len(booked) == 1 and len(refused) == 19
        assert all(r.message == "Sorry, that time has just been booked." for r in refused)
        assert all(len(r.alternatives) == 3 for r in refused)
        assert Appointment.objects.filter(start=start).count() == 1


def test_thirty_overlapping_bookings_of_different_lengths_never_overlap_and_never_error(alice, lengths, next_monday):
    ClinicSettings.load()
    for round_number in range(ROUNDS):
        day = next_monday + timedelta(days=round_number)  # Monday to Friday
        lengths_cycle = [lengths[30], lengths[45], lengths[60]]
        # Every 10 minutes from 09:00: starts off the 15-minute grid are refused by the re-check,
        # the rest overlap each other in every possible way.
        wanted = [(at(day, "09:00") + timedelta(minutes=10 * i), lengths_cycle[i % 3]) for i in range(30)]

        def book(i, start, length):
            return create_booking(length=length, therapist=alice, start=start, patient=patient_number(i))

        results, errors = run_together([lambda i=i, s=s, n=n: book(i, s, n) for i, (s, n) in enumerate(wanted)])

        assert errors == []
        assert len(results) == 30
        active = list(Appointment.objects.holding_time().filter(therapist=alice, start__date=day).order_by("start"))
        assert len(active) >= 2
        for earlier, later in zip(active, active[1:], strict=False):
            assert earlier.blocked_until <= later.start, f"{earlier} overlaps {later}"
        assert len(active) == sum(isinstance(r, Appointment) for r in results)


def test_ten_patients_with_no_preference_at_once_fill_both_free_therapists_and_no_more(
    alice, ben, lengths, next_monday
):
    # Without the per-therapist lock every thread reads both therapists free and picks the same
    # least-busy one; the exclusion constraint then refuses all but one, and Ben's time is lost.
    # Under the lock the second in line re-checks, finds only Ben free, and books him.
    ClinicSettings.load()
    for round_number in range(3):  # without the lock the first round fails every time (checked)
        start = at(next_monday + timedelta(days=round_number), "11:00")

        def book(i, start=start):
            return create_booking(length=lengths[45], therapist=None, start=start, patient=patient_number(i))

        results, errors = run_together([lambda i=i: book(i) for i in range(10)])

        assert errors == []
        booked = [r for r in results if isinstance(r, Appointment)]
        assert sorted(a.therapist.name for a in booked) == ["Alice Example", "Ben Sample"], f"round {round_number}"
        assert sum(isinstance(r, SlotUnavailable) for r in results) == 8
