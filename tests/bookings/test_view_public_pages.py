"""The public pages: what the clinic offers, how to book or be called, and the small print."""

import pytest
from django.urls import reverse

from clinic.core.models import OpeningHours

pytestmark = pytest.mark.django_db


def test_the_home_page_offers_booking_a_callback_and_the_phone(client, lengths, alice, clinic_settings):
    OpeningHours.objects.create(weekday=0, opens="09:00", closes="17:00")
    page = client.get(reverse("bookings:home")).content.decode()
    assert '<html lang="en-GB">' in page
    assert f'href="{reverse("bookings:book")}"' in page
    assert "Book a massage" in page
    assert reverse("callbacks:request") in page
    assert f'href="tel:{clinic_settings.phone}"' in page
    assert "Monday" in page and "09:00 to 17:00" in page
    assert "£40" in page and "£55" in page and "£70" in page
    assert "Alice Example" in page


def test_the_clinic_details_come_from_the_settings(client, clinic_settings):
    clinic_settings.name = "Riverside Test Clinic"
    clinic_settings.address = "9 Test Lane\nTestville"
    clinic_settings.save()
    page = client.get(reverse("bookings:home")).content.decode()
    assert "<title>Soft tissue massage: book online – Riverside Test Clinic</title>" in page
    assert "9 Test Lane<br>Testville" in page


def test_the_treatment_page_explains_it_and_warns_about_recent_injuries(client, lengths):
    page = client.get(reverse("bookings:treatment")).content.decode()
    for heading in ("What it is", "When it helps", "How a session goes", "Does it hurt?", "Who should not book online"):
        assert heading in page
    assert "never used on the site of a recent injury" in page
    assert "work around an injury rather than on" in page
    assert f"{reverse('callbacks:request')}?reason=book" in page
    assert "£70" in page


def test_the_cancellation_policy_states_the_clinics_notice(client, clinic_settings):
    clinic_settings.cancellation_notice_hours = 48
    clinic_settings.save()
    page = client.get(reverse("bookings:cancellation_policy")).content.decode()
    assert "48 hours" in page


def test_the_privacy_notice_says_what_is_kept_and_why(client):
    page = client.get(reverse("bookings:privacy")).content.decode()
    assert "Privacy notice" in page
    assert "mobile number" in page and "never sell" in page
