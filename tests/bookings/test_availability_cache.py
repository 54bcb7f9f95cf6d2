"""The booking pages' caches: what each write makes stale, what it leaves alone, the minute of
"now", and a dead cache. (The property test in test_availability_cache_property.py mixes every
kind of write at random; these are the cases a reader can follow.)"""

import socket
from datetime import time, timedelta

import pytest
import time_machine
from django.test import Client, override_settings
from django.urls import reverse

from bookings.models import Appointment
from bookings.schedules import find_free_starts
from bookings.services import PatientDetails, cancel_booking, create_booking, reschedule_booking
from clinic.core import versions
from tests.bookings.conftest import choice, details
from tests.conftest import at
from therapists.models import Absence, Closure, WorkingHours

pytestmark = pytest.mark.django_db

TIME = reverse("bookings:time")


def times_page(client, length, therapist, day) -> str:
    return client.get(
        TIME, choice(length, therapist) | {"day": day.isoformat()}, HTTP_HX_REQUEST="true"
    ).content.decode()


def test_a_booking_takes_its_time_off_the_cached_page_at_once(client, patient, lengths, alice, next_monday):
    assert ">10:00</a>" in times_page(client, lengths[30], alice, next_monday)
    create_booking(length=lengths[30], therapist=alice, start=at(next_monday, "10:00"), patient=patient)
    assert ">10:00</a>" not in times_page(client, lengths[30], alice, next_monday)


def test_the_no_preference_panel_loses_a_time_once_every_therapist_is_booked_then(
    client, patient, lengths, alice, ben, next_monday
):
    """It is cached under one version for everyone's diary, which any therapist's booking moves."""
    assert ">10:00</a>" in times_page(client, lengths[30], None, next_monday)
    create_booking(length=lengths[30], therapist=alice, start=at(next_monday, "10:00"), patient=patient)
    assert ">10:00</a>" in times_page(client, lengths[30], None, next_monday)  # Ben is free
    other = PatientDetails(name="Other Patient", phone="07700 900999")
    create_booking(length=lengths[30], therapist=ben, start=at(next_monday, "10:00"), patient=other)
    assert ">10:00</a>" not in times_page(client, lengths[30], None, next_monday)


def test_moves_and_cancellations_show_at_once_for_both_therapists(client, patient, lengths, alice, ben, next_monday):
    booked = create_booking(length=lengths[30], therapist=alice, start=at(next_monday, "10:00"), patient=patient)
    assert ">10:00</a>" not in times_page(client, lengths[30], alice, next_monday)
    assert ">11:00</a>" in times_page(client, lengths[30], ben, next_monday)

    reschedule_booking(appointment=booked, start=at(next_monday, "11:00"), therapist=ben)
    assert ">10:00</a>" in times_page(client, lengths[30], alice, next_monday)
    assert ">11:00</a>" not in times_page(client, lengths[30], ben, next_monday)

    cancel_booking(appointment=booked, cancelled_by=Appointment.CancelledBy.CLINIC)
    assert ">11:00</a>" in times_page(client, lengths[30], ben, next_monday)


def test_a_booking_with_one_therapist_keeps_the_others_days_cached(
    client, patient, lengths, alice, ben, next_monday, django_assert_num_queries
):
    times_page(client, lengths[30], alice, next_monday)
    create_booking(length=lengths[30], therapist=ben, start=at(next_monday, "10:00"), patient=patient)
    with django_assert_num_queries(0):
        times_page(client, lengths[30], alice, next_monday)


def test_each_caller_gets_free_starts_of_its_own_from_the_shared_entries(lengths, alice, next_monday):
    """The cached days are kept as shared objects in the process; a caller changing what it got
    (a list) changes nothing for the next."""
    first = find_free_starts(
        therapist_ids=[alice.pk], length=lengths[30], first_day=next_monday, last_day=next_monday, cache=True
    )
    first[alice.pk][next_monday].clear()
    again = find_free_starts(
        therapist_ids=[alice.pk], length=lengths[30], first_day=next_monday, last_day=next_monday, cache=True
    )
    assert again[alice.pk][next_monday] and isinstance(again[alice.pk][next_monday], list)


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda alice, day: Absence.objects.create(
            therapist=alice, starts_at=at(day, "09:00"), ends_at=at(day, "12:00")), id="absence"),
        pytest.param(lambda alice, day: Closure.objects.create(start_date=day, end_date=day), id="closure"),
        pytest.param(lambda alice, day: WorkingHours.objects.filter(
            therapist=alice, weekday=day.weekday(), start=time(9)).update(start=time(12)), id="hours"),
        pytest.param(lambda alice, day: alice.lengths.clear(), id="lengths offered"),
    ],
)  # fmt: skip
def test_the_managers_changes_show_at_once(client, lengths, alice, next_monday, change):
    assert ">09:00</a>" in times_page(client, lengths[30], alice, next_monday)
    change(alice, next_monday)
    assert ">09:00</a>" not in times_page(client, lengths[30], alice, next_monday)


def test_a_change_of_policy_shows_at_once(client, lengths, alice, next_monday, clinic_settings):
    assert ">09:15</a>" in times_page(client, lengths[30], alice, next_monday)
    clinic_settings.slot_step_minutes = 30
    clinic_settings.save()
    page = times_page(client, lengths[30], alice, next_monday)
    assert ">09:00</a>" in page and ">09:15</a>" not in page


def test_a_lengths_new_buffer_shows_at_once(client, patient, lengths, alice, next_monday):
    create_booking(length=lengths[30], therapist=alice, start=at(next_monday, "10:00"), patient=patient)
    assert ">09:30</a>" in times_page(client, lengths[30], alice, next_monday)
    lengths[30].buffer_minutes = 15
    lengths[30].save()
    assert ">09:30</a>" not in times_page(client, lengths[30], alice, next_monday)


def test_the_minimum_notice_moves_with_the_clock_to_the_second(client, lengths, alice, next_monday, clinic_settings):
    # Two hours' notice (the default): at 10:15:00 a 12:15 start is just bookable, a second
    # later it is not, although both requests fall in the same minute of the cache's key.
    assert clinic_settings.min_notice_minutes == 120
    with time_machine.travel(at(next_monday, "10:15"), tick=False):
        assert ">12:15</a>" in times_page(client, lengths[30], alice, next_monday)
    with time_machine.travel(at(next_monday, "10:15") + timedelta(seconds=1), tick=False):
        page = times_page(client, lengths[30], alice, next_monday)
        fresh = find_free_starts(
            therapist_ids=[alice.pk], length=lengths[30], first_day=next_monday, last_day=next_monday
        )[alice.pk][next_monday]
    assert ">12:15</a>" not in page and ">12:30</a>" in page
    assert f"{fresh[0]:%H:%M}" == "12:30"


def test_later_days_do_not_depend_on_the_minute(
    lengths, alice, next_monday, clinic_settings, django_assert_num_queries
):
    with time_machine.travel(at(next_monday, "10:15"), tick=False):
        find_free_starts(
            therapist_ids=[alice.pk],
            length=lengths[30],
            first_day=next_monday,
            last_day=next_monday + timedelta(6),
            cache=True,
        )
    with time_machine.travel(at(next_monday, "10:47"), tick=False), django_assert_num_queries(1):
        # Only Monday, inside the notice, is computed again (one query: its appointments).
        find_free_starts(
            therapist_ids=[alice.pk],
            length=lengths[30],
            first_day=next_monday,
            last_day=next_monday + timedelta(6),
            cache=True,
        )


# --- a dead cache ------------------------------------------------------------------------------


@pytest.fixture
def dead_cache():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    cache = {"BACKEND": "clinic.core.redis_cache.RedisCache", "LOCATION": f"redis://127.0.0.1:{port}/1"}
    with override_settings(CACHES={"default": cache}):
        yield
    versions.forget_outage()


def test_with_the_cache_down_the_pages_work_and_a_booking_goes_through(client, lengths, alice, next_monday, dead_cache):
    assert ">10:00</a>" in times_page(client, lengths[30], alice, next_monday)
    assert client.get(reverse("bookings:book")).status_code == 200
    start = at(next_monday, "10:00")
    assert client.get(reverse("bookings:details"), details(lengths[30], alice, start)).status_code == 200
    create_booking(
        length=lengths[30], therapist=alice, start=start, patient=PatientDetails(name="Robin", phone="+447700900456")
    )
    assert ">10:00</a>" not in times_page(client, lengths[30], alice, next_monday)
    response = client.post(reverse("bookings:details"), details(lengths[30], alice, at(next_monday, "11:00")))
    assert response.status_code == 302


def test_the_whole_day_time_page_is_shared_like_its_panel_and_equals_a_fresh_one(
    client, patient, lengths, alice, next_monday, clinic_settings, django_assert_num_queries
):
    """A visitor with nothing of their own on the page gets the page as the first visitor that
    minute got it; a booking moves it on at once, as it does the panel."""
    query = choice(lengths[30], alice) | {"day": next_monday.isoformat()}
    first = client.get(TIME, query).content
    with django_assert_num_queries(0):
        again = Client().get(TIME, query).content
    assert again == first and b"<html" in again and b">10:00</a>" in again
    create_booking(length=lengths[30], therapist=alice, start=at(next_monday, "10:00"), patient=patient)
    assert b">10:00</a>" not in Client().get(TIME, query).content


def _messages_cookie(text: str) -> str:
    from django.contrib import messages
    from django.contrib.messages.storage.cookie import CookieStorage
    from django.http import HttpRequest, HttpResponse

    storage, response = CookieStorage(HttpRequest()), HttpResponse()
    storage.add(messages.INFO, text)
    storage.update(response)
    return response.cookies[storage.cookie_name].value


def test_a_visitor_with_a_message_waiting_sees_it_on_a_shared_day_time_page(client, lengths, alice, next_monday):
    query = choice(lengths[30], alice) | {"day": next_monday.isoformat()}
    Client().get(TIME, query)  # the page is cached for everyone else this minute
    client.cookies["messages"] = _messages_cookie("You have signed out of My bookings.")

    assert "You have signed out of My bookings." in client.get(TIME, query).content.decode()
    # ...and it stays theirs: the next visitor's page does not have it.
    assert "You have signed out of My bookings." not in Client().get(TIME, query).content.decode()
