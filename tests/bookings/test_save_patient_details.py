"""Reception corrects a patient's details through the service: history says who, and a phone
that belongs to someone else is refused by name."""

import pytest
from django.urls import reverse

from bookings.models import Patient
from bookings.services import BookingError, save_patient_details

pytestmark = pytest.mark.django_db


def test_a_correction_is_saved_with_who_made_it(patient, receptionist):
    save_patient_details(patient=patient, name="Pat  Example-Jones", phone=patient.phone, by_user=receptionist)
    patient.refresh_from_db()
    assert patient.name == "Pat Example-Jones"
    assert patient.history.latest("history_date").history_user == receptionist


def test_another_patients_phone_is_refused_naming_them(patient):
    other = Patient.objects.create(name="Other Person", phone="+447700900777")
    with pytest.raises(BookingError, match="Pat Example already has this phone number"):
        save_patient_details(patient=other, name=other.name, phone=patient.phone)


def test_the_patient_admin_saves_through_the_service(client, receptionist, patient):
    client.force_login(receptionist)
    url = reverse("admin:bookings_patient_change", args=[patient.pk])
    response = client.post(url, {"name": "Pat Renamed", "phone": "07700 900123", "email": "pat@example.com"})
    assert response.status_code == 302
    patient.refresh_from_db()
    assert patient.name == "Pat Renamed"
    assert patient.history.latest("history_date").history_user == receptionist
