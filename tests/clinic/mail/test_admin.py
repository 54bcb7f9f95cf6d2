"""The email log in the admin: read-only, searchable by address, shown on the appointment page."""

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from bookings.services import create_booking
from clinic.mail.models import Email
from tests.conftest import at

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:mail_email_changelist"


@pytest.fixture
def booked(patient, lengths, alice, next_monday):
    return create_booking(length=lengths[60], start=at(next_monday, "10:00"), patient=patient, therapist=alice)


def listed(response):
    return {email.to for email in response.context["cl"].result_list}


def test_reception_finds_emails_by_address_and_status_and_cannot_edit_them(client, receptionist, booked):
    Email.objects.create(kind="cancellation", to="other@example.com", subject="x", text_body="x", status="failed")
    client.force_login(receptionist)
    assert listed(client.get(reverse(CHANGELIST), {"q": "pat@example"})) == {"pat@example.com"}
    assert listed(client.get(reverse(CHANGELIST), {"attention": "yes"})) == {"other@example.com"}
    email = Email.objects.get(to="pat@example.com")
    page = client.get(reverse("admin:mail_email_change", args=[email.pk])).content.decode()
    assert "appointment-" in page and ".ics" in page  # the attachment's name
    assert 'name="_save"' not in page  # read-only
    assert client.post(reverse("admin:mail_email_delete", args=[email.pk]), {"post": "yes"}).status_code == 403


def test_the_appointment_page_lists_its_texts_and_emails(client, receptionist, booked):
    client.force_login(receptionist)
    page = client.get(reverse("admin:bookings_appointment_change", args=[booked.pk])).content.decode()
    email = Email.objects.about(booked).get()
    assert f'href="{reverse("admin:mail_email_change", args=[email.pk])}">Email: Booking confirmation</a>' in page
    assert "pat@example.com" in page
    assert "Text: Booking confirmation" in page


def test_staff_without_the_log_permissions_see_neither_the_log_nor_the_rows(client, roles, booked):
    therapist = User.objects.create_user("thera", password="thera-pass-123", is_staff=True)
    therapist.groups.add(roles["Therapist"])
    client.force_login(therapist)
    assert client.get(reverse(CHANGELIST)).status_code == 403
    assert "needing attention" not in client.get(reverse("admin:index")).content.decode()


def test_the_admin_index_counts_the_emails_needing_attention(client, receptionist, booked):
    Email.objects.filter(about_id=booked.pk).update(status=Email.Status.UNKNOWN)
    client.force_login(receptionist)
    page = client.get(reverse("admin:index")).content.decode()
    assert f"{reverse(CHANGELIST)}?attention=yes" in page
    assert "email needing attention" in page
