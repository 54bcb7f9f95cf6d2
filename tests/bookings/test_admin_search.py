"""Reception finds people by the number as they hear it, in every list that holds a phone."""

import pytest
from django.urls import reverse

from bookings.models import Appointment
from callbacks.models import CallbackRequest
from tests.conftest import at

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("typed", ["07700 900123", "+44 7700 900123", "0044 7700 900 123", "900123"])
def test_appointments_and_patients_are_found_by_a_phone_number_typed_any_usual_way(
    client, manager, patient, alice, lengths, next_monday, typed
):
    booked = Appointment.objects.create(
        patient=patient, therapist=alice, length=lengths[30], start=at(next_monday, "10:00")
    )
    client.force_login(manager)
    page = client.get(reverse("admin:bookings_appointment_changelist"), {"q": typed}).content.decode()
    assert booked.reference in page
    page = client.get(reverse("admin:bookings_patient_changelist"), {"q": typed}).content.decode()
    assert "Pat Example" in page


def test_a_number_that_is_not_theirs_finds_nobody(client, manager, patient):
    client.force_login(manager)
    page = client.get(reverse("admin:bookings_patient_changelist"), {"q": "07700 900999"}).content.decode()
    assert "Pat Example" not in page


def test_callback_requests_are_found_by_the_number_as_said(client, manager):
    CallbackRequest.objects.create(name="Robin Caller", phone="+447400123456")
    client.force_login(manager)
    page = client.get(reverse("admin:callbacks_callbackrequest_changelist"), {"q": "07400 123 456"}).content.decode()
    assert "Robin Caller" in page
