"""A drag-move racing a patient booking the same slot online (threads against PostgreSQL): exactly
one of them gets the time; the other is told it was just taken; never a double booking or a 500."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse

from bookings.models import Appointment, Patient
from bookings.services import BookingError, PatientDetails, SlotUnavailable, create_booking
from clinic.core.models import ClinicSettings
from clinic.core.roles import RECEPTION, ensure_roles
from tests import threads
from tests.bookings.diary_support import book, staff
from tests.conftest import at

pytestmark = [pytest.mark.postgres, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

ROUNDS = 6


def test_a_drag_move_racing_an_online_booking_for_the_target_slot_leaves_exactly_one_appointment_there(
    alice, ben, lengths, next_monday
):
    ensure_roles()
    ClinicSettings.load()  # so no thread races to create the settings row
    desk = Client()
    desk.force_login(staff("rita", RECEPTION))
    pat = Patient.objects.create(name="Pat Example", phone="+447700900123")
    outcomes = []
    for round_number in range(ROUNDS):
        day = next_monday + timedelta(days=round_number % 5 + 7 * (round_number // 5))
        moving = book(pat, alice, lengths[30], at(day, "10:00"))
        target = at(day, "11:00")

        def drag(moving=moving, target=target):
            response = desk.post(
                reverse("admin:bookings_appointment_move", args=[moving.pk]),
                {
                    "start": str(int(target.timestamp())),
                    "therapist": str(ben.pk),
                    "version": moving.updated_at.isoformat(),
                },
            )
            return response.status_code, response.json()

        def online(round_number=round_number, target=target):
            details = PatientDetails(name=f"Robin {round_number}", phone=f"+4477009004{round_number:02d}")
            return create_booking(length=lengths[30], therapist=ben, start=target, patient=details)

        results, errors = threads.run_together([drag, online], answers=(BookingError,))

        assert errors == []
        there = (
            Appointment.objects.holding_time().filter(therapist=ben).overlapping(target, target + timedelta(minutes=30))
        )
        assert there.count() == 1
        (moved,) = [r for r in results if isinstance(r, tuple)]
        booked = [r for r in results if isinstance(r, Appointment)]
        refused = [r for r in results if isinstance(r, SlotUnavailable)]
        if moved[0] == 200:
            assert refused and not booked and there.get().pk == moving.pk
            outcomes.append("move won")
        else:
            assert moved[0] == 409 and moved[1]["message"].startswith("Not moved. Ben Sample already has Robin")
            assert booked and there.get().pk == booked[0].pk
            moving.refresh_from_db()
            assert (moving.therapist, moving.start) == (alice, at(day, "10:00"))
            outcomes.append("booking won")
    assert len(outcomes) == ROUNDS
