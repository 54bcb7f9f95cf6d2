"""A stalled transaction cannot block a therapist's diary for everyone (issue 17, finding 3).

PostgreSQL gives up waiting for a row lock after `lock_timeout` (DB_LOCK_TIMEOUT_MS, 5 s; 1 s in
these tests), and the booking, move or cancel answers "we are busy, please try again" with the
nearest free times, long before gunicorn would kill the worker (a 502). Another connection holds
the lock, as a frozen host mid-booking would.
"""

import re
import time
from contextlib import contextmanager

import psycopg
import pytest
from django.db import connection, transaction
from django.http import HttpResponse
from django.urls import path, reverse

from bookings import tokens
from bookings.forms import format_start
from bookings.models import Appointment
from bookings.services import create_booking
from clinic import urls as site_urls
from clinic.core.models import ClinicSettings
from tests.bookings.conftest import details
from tests.conftest import at
from therapists.models import Therapist

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]

LOCK_TIMEOUT_S = 1.0
BUSY = "we are very busy just now"


@pytest.fixture
def short_lock_timeout():
    """The request's connection with lock_timeout at 1 s, through the same OPTIONS production uses."""
    options = connection.settings_dict["OPTIONS"]
    original = options["options"]
    connection.close()
    options["options"] = re.sub(r"lock_timeout=\d+", f"lock_timeout={int(LOCK_TIMEOUT_S * 1000)}", original)
    ClinicSettings.load()
    yield
    connection.close()
    options["options"] = original


@contextmanager
def row_locked(table: str, pk: int):
    """Another session holds a row lock and sits idle in its transaction (a frozen host)."""
    db = connection.settings_dict
    other = psycopg.connect(
        host=db["HOST"], port=db["PORT"] or 5432, user=db["USER"], password=db["PASSWORD"] or None, dbname=db["NAME"]
    )
    try:
        other.execute(f"SELECT 1 FROM {table} WHERE id = %s FOR UPDATE", [pk])
        yield
    finally:
        other.rollback()
        other.close()


def timed(call):
    started = time.monotonic()
    result = call()
    return result, time.monotonic() - started


def test_a_booking_blocked_by_a_stalled_transaction_is_told_to_try_again_with_alternatives(
    client, short_lock_timeout, lengths, alice, next_monday
):
    form = details(lengths[30], alice, at(next_monday, "10:00"))
    with row_locked("therapists_therapist", alice.pk):
        response, seconds = timed(lambda: client.post(reverse("bookings:details"), form))

    assert response.status_code == 200  # the form again, with the message; never a 5xx
    page = response.content.decode()
    assert BUSY in page.lower() and "Nothing has been changed" in page
    assert "09:45" in page or "10:15" in page  # the nearest free times, to pick instead
    assert LOCK_TIMEOUT_S <= seconds < LOCK_TIMEOUT_S + 4
    assert Appointment.objects.count() == 0

    # Once the stalled session has gone, the same form books.
    assert client.post(reverse("bookings:details"), form).status_code == 302


def test_moving_an_appointment_while_the_diary_is_held_says_it_is_unchanged(
    client, short_lock_timeout, lengths, alice, patient, next_monday
):
    appointment = create_booking(length=lengths[30], therapist=alice, start=at(next_monday, "10:00"), patient=patient)
    url = reverse("bookings:manage_move", args=[tokens.manage_token(appointment)])
    with row_locked("therapists_therapist", alice.pk):
        response, seconds = timed(lambda: client.post(url, {"start": format_start(at(next_monday, "14:00"))}))

    assert response.status_code < 500
    assert "could not move your appointment. It is unchanged" in response.content.decode()
    assert seconds < LOCK_TIMEOUT_S + 4
    appointment.refresh_from_db()
    assert appointment.start == at(next_monday, "10:00")


def test_cancelling_while_the_appointment_is_held_says_it_is_still_booked(
    client, short_lock_timeout, lengths, alice, patient, next_monday
):
    appointment = create_booking(length=lengths[30], therapist=alice, start=at(next_monday, "10:00"), patient=patient)
    url = reverse("bookings:manage_cancel", args=[tokens.manage_token(appointment)])
    with row_locked("bookings_appointment", appointment.pk):
        response = client.post(url)  # "Yes, cancel it" on the confirm step

    assert response.status_code < 500
    assert "could not cancel your appointment. It is still booked" in response.content.decode()
    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.BOOKED


def lock_a_therapist(request, pk):
    with transaction.atomic():
        list(Therapist.objects.select_for_update().filter(pk=pk))
    return HttpResponse("done")


# The site's own addresses too: the busy page is in the site's layout, which links to them.
urlpatterns = [path("lock/<int:pk>/", lock_a_therapist), *site_urls.urlpatterns]


@pytest.mark.urls(__name__)
def test_anywhere_else_a_lock_timeout_is_a_polite_503_with_retry_after(client, short_lock_timeout, alice):
    with row_locked("therapists_therapist", alice.pk):
        response = client.get(f"/lock/{alice.pk}/")

    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert "Sorry, we are very busy just now" in response.content.decode()


def test_the_database_sessions_carry_the_timeouts_and_keepalives(settings):
    """What production's connections are opened with (clinic/settings/base.py)."""
    with connection.cursor() as cursor:
        shown = {}
        for name in ("lock_timeout", "idle_in_transaction_session_timeout", "tcp_keepalives_idle"):
            cursor.execute(f"SHOW {name}")
            shown[name] = cursor.fetchone()[0]
    assert shown == {"lock_timeout": "5s", "idle_in_transaction_session_timeout": "1min", "tcp_keepalives_idle": "30"}
    assert settings.DATABASES["default"]["OPTIONS"]["keepalives"] == 1
