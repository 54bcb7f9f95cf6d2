"""A form submitted several times at once (double tap, flaky network) books once, and every
submission lands on that booking's confirmation: none says the patient's own time was taken."""

import pytest
from django.test import Client
from django.urls import reverse

from bookings.models import Appointment
from bookings.tokens import read_confirmation_token
from clinic.core.models import ClinicSettings
from clinic.sms.models import Message
from tests import threads
from tests.bookings.conftest import details
from tests.conftest import at

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]


@pytest.mark.parametrize("therapist_choice", ["alice", "any"])
def test_five_identical_submissions_at_once_all_reach_the_one_confirmation(
    lengths, alice, ben, next_monday, therapist_choice
):
    ClinicSettings.load()
    form = details(lengths[30], alice if therapist_choice == "alice" else None, at(next_monday, "10:00"))

    def submit():
        return Client().post(reverse("bookings:details"), form)

    responses, errors = threads.run_together([submit] * 5)
    assert errors == []
    assert [r.status_code for r in responses] == [302] * 5, [r.content.decode()[-3000:] for r in responses]
    # The same appointment's confirmation (tokens signed in different seconds differ in their timestamp).
    assert len({read_confirmation_token(r["Location"].rstrip("/").split("/")[-1]) for r in responses}) == 1
    assert Appointment.objects.count() == 1
    assert Message.objects.filter(kind="booking_confirmation").count() == 1
