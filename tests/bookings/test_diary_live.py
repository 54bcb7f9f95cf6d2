"""The live diary: every open day page polls a cheap "changed since" check; while nothing changed
it gets 204 and does nothing, and when anything the page shows changed it gets the grid again."""

import re
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from bookings.models import Patient
from bookings.notifications import Kind
from bookings.services import cancel_booking
from clinic.core.models import ClinicSettings
from clinic.sms.models import Message
from tests.bookings.diary_support import book, ensure_roles_exist
from tests.conftest import at

pytestmark = pytest.mark.django_db

DIARY = reverse("admin:bookings_diary")


@pytest.fixture(autouse=True)
def _roles(db):
    ensure_roles_exist()
    ClinicSettings.load()


@pytest.fixture
def page(client, receptionist, alice, patient, lengths, next_monday):
    """Reception's page for the day, with Pat booked at 10:00."""
    appointment = book(patient, alice, lengths[30], at(next_monday, "10:00"))
    client.force_login(receptionist)
    html = client.get(DIARY, {"date": next_monday.isoformat()}).content.decode()
    return appointment, html


def live_url(html: str) -> str:
    return re.search(r'id="diary-live" class="diary-live" hx-get="([^"]+)"', html).group(1).replace("&amp;", "&")


def poll(client, html):
    return client.get(live_url(html), HTTP_HX_REQUEST="true")


def test_the_page_polls_with_its_token_and_gets_nothing_while_nothing_changed(client, page):
    _, html = page
    url = urlsplit(live_url(html))
    assert url.path == reverse("admin:bookings_diary_live")
    assert set(parse_qs(url.query)) == {"date", "token"}
    assert 'hx-trigger="every 2s, diary-refresh"' in html

    response = poll(client, html)

    assert response.status_code == 204 and response.content == b""


def test_a_booking_made_at_another_desk_comes_back_with_the_grid(client, page, alice, lengths, next_monday):
    _, html = page
    robin = Patient.objects.create(name="Robin Sample", phone="+447700900456")
    book(robin, alice, lengths[30], at(next_monday, "11:00"))

    response = poll(client, html)

    assert response.status_code == 200
    fresh = response.content.decode()
    assert 'id="diary-live"' in fresh and "Robin Sample" in fresh
    assert live_url(fresh) != live_url(html)  # the new token, so the next poll is quiet again
    assert poll(client, fresh).status_code == 204


@pytest.mark.parametrize("change", ["cancel", "move away", "text delivered"])
def test_a_cancellation_a_move_out_of_the_day_or_a_texts_fate_counts_as_a_change(client, page, change, next_monday):
    appointment, html = page
    if change == "cancel":
        cancel_booking(appointment=appointment, cancelled_by="clinic", reason="Unwell")
    elif change == "move away":
        appointment.start = at(next_monday + timedelta(days=1), "10:00")
        appointment.save()
    else:
        Message.objects.create(kind=Kind.BOOKING_CONFIRMATION, to="+447700900123", body="x", about=appointment)
    assert poll(client, html).status_code == 200


def test_a_page_showing_texts_carries_the_same_token_the_poll_computes(
    client, receptionist, alice, patient, lengths, next_monday
):
    """The page makes its token from the rows it read; the poll asks the database. With texts of
    every kind about the day (a delivered confirmation, a failed reminder, a cancellation text the
    page does not show, a cancelled one), they agree, so an unchanged page stays quiet."""
    appointment = book(patient, alice, lengths[30], at(next_monday, "10:00"))
    other = book(patient, alice, lengths[30], at(next_monday, "12:00"))
    Message.objects.create(
        kind=Kind.BOOKING_CONFIRMATION, to="+447700900123", body="x", about=appointment, status="delivered"
    )
    Message.objects.create(kind=Kind.REMINDER, to="+447700900123", body="x", about=appointment, status="failed")
    Message.objects.create(kind=Kind.CANCELLATION, to="+447700900123", body="x", about=other)
    Message.objects.create(kind=Kind.TIME_CHANGE, to="+447700900123", body="x", about=other, status="cancelled")
    client.force_login(receptionist)
    html = client.get(DIARY, {"date": next_monday.isoformat()}).content.decode()

    assert poll(client, html).status_code == 204

    reminder = Message.objects.get(kind=Kind.REMINDER)
    reminder.status = "delivered"
    reminder.save()
    assert poll(client, html).status_code == 200


def test_a_booking_on_another_day_is_not_a_change(client, page, alice, lengths, next_monday):
    _, html = page
    robin = Patient.objects.create(name="Robin Sample", phone="+447700900456")
    book(robin, alice, lengths[30], at(next_monday + timedelta(days=1), "11:00"))
    assert poll(client, html).status_code == 204


def test_a_quiet_poll_is_cheap(client, page, django_assert_num_queries):
    _, html = page
    # Session, user, the user's permissions (two), the day's two aggregates.
    with django_assert_num_queries(6):
        assert poll(client, html).status_code == 204


def test_someone_signed_out_is_sent_to_sign_in(client, page):
    _, html = page
    client.logout()
    response = poll(client, html)
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
