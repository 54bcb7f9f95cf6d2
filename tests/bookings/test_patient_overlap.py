"""A patient never holds two overlapping appointments by accident: online it is refused (the
Back-button double booking), reception may do it on purpose and is warned."""

import pytest
from django.urls import reverse

from bookings.models import Appointment
from bookings.services import AlreadyBooked, PatientDetails, create_booking
from clinic.sms.models import Message
from tests.bookings.conftest import details, slot
from tests.conftest import at

pytestmark = pytest.mark.django_db

ROBIN = PatientDetails(name="Robin Patient", phone="+447700900456")


def test_an_online_booking_overlapping_the_patients_own_is_refused_naming_it(lengths, alice, ben, next_monday):
    first = create_booking(length=lengths[60], therapist=alice, start=at(next_monday, "10:00"), patient=ROBIN)
    with pytest.raises(AlreadyBooked) as refused:
        create_booking(length=lengths[30], therapist=ben, start=at(next_monday, "10:30"), patient=ROBIN)
    assert refused.value.appointment == first
    assert first.reference in refused.value.message
    assert Appointment.objects.count() == 1


def test_back_to_back_appointments_for_one_patient_are_fine(lengths, alice, ben, next_monday):
    create_booking(length=lengths[30], therapist=alice, start=at(next_monday, "10:00"), patient=ROBIN)
    create_booking(length=lengths[30], therapist=ben, start=at(next_monday, "10:30"), patient=ROBIN)
    assert Appointment.objects.count() == 2


def test_book_press_back_and_book_again_makes_one_appointment_and_one_text(client, lengths, alice, ben, next_monday):
    start = at(next_monday, "10:00")
    first = client.post(reverse("bookings:details"), details(lengths[30], None, start))
    assert first.status_code == 302
    # Back reloads the details page, which carries a fresh one-time token; Book again.
    client.get(reverse("bookings:details"), slot(lengths[30], None, start))
    again = client.post(reverse("bookings:details"), details(lengths[30], None, start))

    page = again.content.decode()
    assert again.status_code == 200
    assert "You already have an appointment at 10:00" in page
    assert "See your booking" in page  # this browser made it, so it may follow the link
    assert Appointment.objects.count() == 1
    assert Message.objects.filter(kind="booking_confirmation").count() == 1


def test_another_browser_is_told_without_a_link_to_the_booking(client, lengths, alice, ben, next_monday):
    start = at(next_monday, "10:00")
    create_booking(length=lengths[30], therapist=alice, start=start, patient=ROBIN)
    page = client.post(reverse("bookings:details"), details(lengths[30], None, start)).content.decode()
    assert "You already have an appointment at 10:00" in page
    assert "See your booking" not in page


def test_reception_may_book_an_overlap_on_purpose_and_is_warned(client, receptionist, lengths, alice, ben, next_monday):
    first = create_booking(length=lengths[60], therapist=alice, start=at(next_monday, "10:00"), patient=ROBIN)
    client.force_login(receptionist)
    response = client.post(
        reverse("admin:bookings_appointment_add"),
        {
            "patient": first.patient.pk,
            "therapist": ben.pk,
            "length": lengths[30].pk,
            "start_0": next_monday.isoformat(),
            "start_1": "10:30",
        },
        follow=True,
    )
    page = response.content.decode()
    assert Appointment.objects.count() == 2
    assert f"also has {first.reference} with Alice Example 10:00–11:00, which overlaps" in page
