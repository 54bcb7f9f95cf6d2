"""The patient's own appointment from the link in their texts: cancelling takes a second, deliberate
step with an optional reason; bad links get a page in the site's layout."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse

from bookings import tokens
from bookings.models import Appointment, Patient
from bookings.services import create_booking
from tests.conftest import at

pytestmark = pytest.mark.django_db


@pytest.fixture
def booked(patient, lengths, alice, next_monday):
    return create_booking(length=lengths[45], therapist=alice, start=at(next_monday, "10:00"), patient=patient)


def manage_url(appointment, name="bookings:manage"):
    return reverse(name, args=[tokens.manage_token(appointment)])


def test_one_tap_on_the_manage_page_does_not_cancel(client, booked):
    token = tokens.manage_token(booked)  # signed with a timestamp: make it once
    page = client.get(reverse("bookings:manage", args=[token])).content.decode()
    assert booked.reference in page and "Cancel this appointment" in page
    assert f'href="{reverse("bookings:manage_cancel", args=[token])}"' in page
    assert 'name="action" value="cancel"' not in page

    response = client.post(reverse("bookings:manage", args=[token]), {"action": "cancel"})  # a page from before
    assert response.url == reverse("bookings:manage_cancel", args=[token])
    booked.refresh_from_db()
    assert booked.status == Appointment.Status.BOOKED


def test_cancelling_asks_to_confirm_and_offers_an_optional_reason(client, booked):
    page = client.get(manage_url(booked, "bookings:manage_cancel")).content.decode()
    assert "Cancel your appointment?" in page
    assert "Yes, cancel it" in page and "No, keep it" in page
    assert "I can&#x27;t make that time" in page  # reasons to choose from, none required
    booked.refresh_from_db()
    assert booked.status == Appointment.Status.BOOKED


def test_confirming_cancels_and_keeps_the_reason_given(client, booked):
    response = client.post(manage_url(booked, "bookings:manage_cancel"), {"reason": "cannot_make_it"}, follow=True)
    booked.refresh_from_db()
    assert booked.status == Appointment.Status.CANCELLED
    assert booked.cancelled_by == Appointment.CancelledBy.PATIENT
    assert booked.cancellation_reason == "Cancelled online by the patient: I can't make that time"
    assert f"Your appointment {booked.reference} is cancelled." in response.content.decode()


def test_confirming_without_a_reason_cancels_too(client, booked):
    client.post(manage_url(booked, "bookings:manage_cancel"))
    booked.refresh_from_db()
    assert booked.status == Appointment.Status.CANCELLED
    assert booked.cancellation_reason == "Cancelled online by the patient"


def test_a_made_up_reason_is_not_stored(client, booked):
    client.post(manage_url(booked, "bookings:manage_cancel"), {"reason": "<script>"})
    booked.refresh_from_db()
    assert booked.cancellation_reason == "Cancelled online by the patient"


def test_the_cancel_step_inside_the_notice_period_says_why_and_cancels_nothing(client, booked, clinic_settings):
    inside = booked.start - timedelta(hours=clinic_settings.cancellation_notice_hours - 1)
    with time_machine.travel(inside, tick=False):
        response = client.get(manage_url(booked, "bookings:manage_cancel"), follow=True)
        assert "can no longer be changed online" in response.content.decode()
        client.post(manage_url(booked, "bookings:manage_cancel"))
    booked.refresh_from_db()
    assert booked.status == Appointment.Status.BOOKED


def test_moving_online_onto_a_time_just_taken_never_names_the_other_patient(
    client, booked, lengths, alice, next_monday
):
    other = Patient.objects.create(name="Sam Private", phone="+447700900999")
    # Taken after the patient opened the confirm step, so the page still offered it.
    create_booking(length=lengths[30], therapist=alice, start=at(next_monday, "14:00"), patient=other)

    response = client.post(manage_url(booked, "bookings:manage_move"), {"start": f"{next_monday.isoformat()}T14:00"})

    page = response.content.decode()
    assert "Sorry, that time has just been booked." in page
    assert "Sam Private" not in page
    booked.refresh_from_db()
    assert booked.start == at(next_monday, "10:00")


def main_of(response) -> str:
    page = response.content.decode()
    return page[page.index("<main") : page.index("</main>")]


@pytest.mark.parametrize("name", ["bookings:manage", "bookings:manage_move", "bookings:manage_cancel"])
def test_a_bad_link_gets_a_page_in_the_sites_layout_with_the_phone_to_call(client, name):
    response = client.get(reverse(name, args=["not-a-real-token"]))

    assert response.status_code == 404
    content = main_of(response)
    assert "This link has expired or is not valid." in content
    assert 'href="tel:+441632960000"' in content
    assert 'aria-label="Main"' in response.content.decode()  # the site's own header


def test_an_expired_link_says_so_too(client, booked):
    url = manage_url(booked)
    with time_machine.travel(booked.start + timedelta(days=130), tick=False):
        response = client.get(url)
    assert response.status_code == 404
    assert "This link has expired or is not valid." in main_of(response)


def test_a_bad_confirmation_link_gets_the_same_page(client):
    response = client.get(reverse("bookings:confirmation", args=["nonsense"]))
    assert response.status_code == 404
    assert "This link has expired or is not valid." in main_of(response)
