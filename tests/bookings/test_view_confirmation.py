"""Step 5 and after: the confirmation, the calendar file, and the patient's own manage page."""

import re

import pytest
from django.urls import reverse
from icalendar import Calendar

from bookings import ics, tokens
from bookings.services import create_booking
from tests.conftest import at

pytestmark = pytest.mark.django_db


@pytest.fixture
def booked(patient, lengths, alice, next_monday):
    return create_booking(length=lengths[45], therapist=alice, start=at(next_monday, "10:00"), patient=patient)


def test_the_confirmation_shows_everything_the_patient_needs(client, booked, clinic_settings, next_monday):
    url = reverse("bookings:confirmation", args=[tokens.confirmation_token(booked)])
    page = client.get(url).content.decode()
    assert booked.reference in page
    assert f"{next_monday:%A} {next_monday.day} {next_monday:%B}" in page
    assert "10:00 to 10:45" in page
    assert "Alice Example" in page and "45 minutes" in page and "£55" in page
    assert clinic_settings.address.splitlines()[0] in page
    assert "What happens next" in page
    # The calendar link carries a confirmation token for this appointment (signed with a
    # timestamp, so not byte-equal to one made here a second later).
    calendar = re.search(r'href="/book/confirmed/([^/"]+)/appointment\.ics"', page)
    assert calendar and tokens.read_confirmation_token(calendar.group(1)) == booked.pk
    assert "ending 123" in page and "7700900123" not in page  # only a hint of the number


def test_a_forged_or_other_kind_of_token_finds_nothing(client, booked):
    assert client.get(reverse("bookings:confirmation", args=[f"{booked.pk}"])).status_code == 404
    manage = tokens.manage_token(booked)
    assert client.get(reverse("bookings:confirmation", args=[manage])).status_code == 404


def test_the_calendar_file_describes_the_appointment(client, booked):
    response = client.get(reverse("bookings:calendar", args=[tokens.confirmation_token(booked)]))
    assert response["Content-Type"].startswith("text/calendar")
    assert f"appointment-{booked.reference}.ics" in response["Content-Disposition"]
    calendar = Calendar.from_ical(response.content)
    assert calendar["METHOD"] == "PUBLISH"  # a file to import, not an invitation
    [event] = calendar.events
    assert event.start == booked.start and event.start.tzinfo.key == "Europe/London"
    assert event.end == booked.end
    assert event["UID"] == ics.uid(booked) == f"{booked.reference}@clinic.example.test"  # PUBLIC_BASE_URL's host
    assert "Alice Example" in event["DESCRIPTION"]


def test_the_patient_can_move_to_another_free_time(client, booked, next_monday):
    url = reverse("bookings:manage_move", args=[tokens.manage_token(booked)])
    page = client.get(url, {"day": next_monday.isoformat()}).content.decode()
    assert ">10:15</a>" in page  # overlaps the appointment's own time, which is free to move within
    confirm = client.get(url, {"start": f"{next_monday.isoformat()}T14:00"}).content.decode()
    assert "Move to" in confirm
    client.post(url, {"start": f"{next_monday.isoformat()}T14:00"})
    booked.refresh_from_db()
    assert booked.start == at(next_monday, "14:00")


def test_a_manage_link_for_another_reference_finds_nothing(client, booked):
    forged = tokens.signing.dumps([booked.pk, "AAA-AAA"], salt=tokens.MANAGE_SALT)
    assert client.get(reverse("bookings:manage", args=[forged])).status_code == 404
    assert client.get(reverse("bookings:manage", args=["nonsense"])).status_code == 404
