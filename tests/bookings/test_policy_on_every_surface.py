"""The change rule (`bookings.policy.change_policy`: the notice period, and the grace period just
after booking) is the one answer on every surface a patient sees: the confirmation text, the
confirmation page and email, the manage page and "My bookings" offer to change online only while that is
allowed, state the same deadline, and otherwise give the policy and a number to tap and call."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from bookings import tokens
from bookings.models import Appointment
from bookings.notifications import Kind
from clinic.core.models import ClinicSettings
from clinic.mail.models import Email
from clinic.sms.models import Message
from tests.bookings.conftest import details
from tests.bookings.my_bookings_support import sign_in

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
TEL = 'href="tel:+441632960000"'


@pytest.fixture
def monday_morning(time_machine, alice):
    time_machine.move_to(datetime(2030, 1, 7, 10, 0, tzinfo=LONDON), tick=False)
    clinic = ClinicSettings.load()
    clinic.cancellation_notice_hours = 48
    clinic.save()


def book(client, lengths, alice, start) -> tuple[Appointment, str]:
    """Booked as a patient books (the details form, health questions answered); the appointment
    and the confirmation page's address the booking redirected to."""
    response = client.post(reverse("bookings:details"), details(lengths[30], alice, start))
    assert response.status_code == 302, response.content.decode()[:2000]
    return Appointment.objects.get(start=start), response.url


def main(response) -> str:
    """The page's own content (the header and footer have the phone number on every page)."""
    page = response.content.decode()
    return page[page.index("<main") : page.index("</main>")]


def surfaces(client, appointment, confirmation_url):
    text = Message.objects.about(appointment).get(kind=Kind.BOOKING_CONFIRMATION).body
    pages = [client.get(confirmation_url), client.get(tokens.manage_path(appointment))]
    sign_in(client, appointment.patient.phone)
    pages.append(client.get(reverse("bookings:my_bookings")))
    return text, *(main(page) for page in pages)


def no_grace_period():
    clinic = ClinicSettings.load()
    clinic.change_grace_minutes = 0
    clinic.save()


def test_booked_inside_the_notice_period_every_surface_says_phone_us(client, monday_morning, lengths, alice):
    no_grace_period()
    appointment, confirmation_url = book(client, lengths, alice, datetime(2030, 1, 8, 14, 0, tzinfo=LONDON))  # in 28 h
    text, confirmation, manage, mine = surfaces(client, appointment, confirmation_url)

    assert "/manage/" not in text and "To change or cancel, call 01632 960000." in text
    assert "/manage/" not in confirmation  # no link to change online
    for page in (confirmation, manage, mine):
        assert "can no longer be changed online" in page and TEL in page
    for page in (manage, mine):
        assert "Move to another time" not in page and "Cancel this appointment" not in page


def test_booked_inside_the_notice_period_every_surface_offers_the_grace_period_until_the_same_moment(
    client, monday_morning, lengths, alice
):
    appointment, confirmation_url = book(client, lengths, alice, datetime(2030, 1, 8, 14, 0, tzinfo=LONDON))  # in 28 h
    text, confirmation, manage, mine = surfaces(client, appointment, confirmation_url)

    assert "Change or cancel by 10:10: http" in text and "/manage/" in text
    assert 'href="/manage/' in confirmation
    email = Email.objects.about(appointment).get(kind="booking_confirmation")
    for page in (confirmation, manage, mine, email.text_body, email.html_body):
        assert "until Mon 7 Jan at 10:10 (10 minutes after booking)" in page
    for page in (manage, mine):
        assert "Move to another time" in page and "Cancel this appointment" in page


def test_once_the_grace_period_is_over_every_page_says_phone_us(client, time_machine, monday_morning, lengths, alice):
    appointment, confirmation_url = book(client, lengths, alice, datetime(2030, 1, 8, 14, 0, tzinfo=LONDON))
    time_machine.shift(timedelta(minutes=10))
    _text, confirmation, manage, mine = surfaces(client, appointment, confirmation_url)

    assert "/manage/" not in confirmation
    for page in (confirmation, manage, mine):
        assert "can no longer be changed online" in page and TEL in page
        assert "10 minutes after booking" not in page
    for page in (manage, mine):
        assert "Move to another time" not in page and "Cancel this appointment" not in page


def test_booked_well_ahead_every_surface_offers_to_change_online_until_the_same_moment(
    client, monday_morning, lengths, alice
):
    appointment, confirmation_url = book(client, lengths, alice, datetime(2030, 1, 10, 14, 0, tzinfo=LONDON))  # in 76 h
    text, confirmation, manage, mine = surfaces(client, appointment, confirmation_url)

    assert "Change or cancel: http" in text and "/manage/" in text
    assert 'href="/manage/' in confirmation
    email = Email.objects.about(appointment).get(kind="booking_confirmation")
    for page in (confirmation, manage, mine, email.text_body, email.html_body):
        assert "until Tue 8 Jan at 14:00 (48 hours before the start)" in page
    for page in (manage, mine):
        assert "Move to another time" in page and "Cancel this appointment" in page
