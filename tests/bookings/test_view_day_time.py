"""Steps 2 and 3: choosing a day (14 at a time, up to the horizon) and a time on it."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from bookings.services import create_booking
from tests.bookings.conftest import choice
from tests.conftest import at, make_therapist

pytestmark = pytest.mark.django_db


def test_the_day_page_shows_fourteen_days_and_marks_days_without_free_time(client, lengths, alice):
    page = client.get(reverse("bookings:day"), choice(lengths[30], alice)).content.decode()
    assert page.count("day-cell__date") == 14
    assert "No free times" in page  # Sundays: Alice does not work
    today = timezone.localdate()
    assert f"Days from {today:%a} {today.day} {today:%b}" in page


def test_next_available_jumps_to_the_first_day_with_a_free_time(client, lengths, next_monday):
    make_therapist("Only Mondays", lengths=[lengths[30]], hours={0: [("09:00", "12:00")]})
    with time_machine.travel(at(next_monday - timedelta(days=1), "12:00"), tick=False):
        page = client.get(reverse("bookings:day"), choice(lengths[30])).content.decode()
    assert f"Next available: {next_monday:%a} {next_monday.day} {next_monday:%b}" in page
    assert f"day={next_monday.isoformat()}" in page


def test_later_pages_reach_the_horizon_and_stop_there(client, lengths, alice, clinic_settings):
    clinic_settings.horizon_days = 20
    clinic_settings.save()
    first = client.get(reverse("bookings:day"), choice(lengths[30], alice)).content.decode()
    assert "Later days" in first and "Earlier days" not in first
    later_from = (timezone.localdate() + timedelta(days=14)).isoformat()
    second = client.get(reverse("bookings:day"), choice(lengths[30], alice) | {"from": later_from}).content.decode()
    assert second.count("day-cell__date") == 7  # days 14..20
    assert "Later days" not in second and "Earlier days" in second


def test_the_time_page_groups_free_times_into_morning_and_afternoon(client, lengths, alice, next_monday):
    response = client.get(reverse("bookings:time"), choice(lengths[60], alice) | {"day": next_monday.isoformat()})
    page = response.content.decode()
    assert "Morning" in page and "Afternoon" in page and "Evening" not in page
    assert ">09:00</a>" in page and ">12:00</a>" in page
    assert ">12:15</a>" not in page  # would run into the lunch break
    assert ">16:00</a>" in page and ">16:15</a>" not in page
    assert f"start={next_monday.isoformat()}T09%3A00" in page


def test_a_taken_time_is_not_offered(client, patient, lengths, alice, next_monday):
    create_booking(length=lengths[60], therapist=alice, start=at(next_monday, "10:00"), patient=patient)
    page = client.get(
        reverse("bookings:time"), choice(lengths[30], alice) | {"day": next_monday.isoformat()}
    ).content.decode()
    assert ">09:30</a>" in page and ">10:00</a>" not in page and ">10:45</a>" not in page and ">11:00</a>" in page


def test_no_preference_offers_the_union_of_the_therapists_times(client, lengths, next_monday):
    make_therapist("Morning Person", lengths=[lengths[30]], hours={0: [("09:00", "10:00")]})
    make_therapist("Evening Person", lengths=[lengths[30]], hours={0: [("17:00", "19:00")]})
    page = client.get(reverse("bookings:time"), choice(lengths[30]) | {"day": next_monday.isoformat()}).content.decode()
    assert "Morning" in page and "Evening" in page
    assert ">09:30</a>" in page and ">18:30</a>" in page
    assert page.count(">09:30</a>") == 1


def test_a_day_beyond_the_horizon_gets_a_clear_message(client, lengths, alice, clinic_settings):
    far = timezone.localdate() + timedelta(days=clinic_settings.horizon_days + 3)
    page = client.get(reverse("bookings:time"), choice(lengths[30], alice) | {"day": far.isoformat()}).content.decode()
    assert "You can book online up to" in page
    assert "Times on" not in page


def test_a_day_in_the_past_or_malformed_gets_a_clear_message(client, lengths, alice):
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
    page = client.get(reverse("bookings:time"), choice(lengths[30], alice) | {"day": yesterday}).content.decode()
    assert "That day has passed" in page
    page = client.get(reverse("bookings:time"), choice(lengths[30], alice) | {"day": "2026-02-31"}).content.decode()
    assert "That date is not valid" in page


def test_with_htmx_only_the_day_and_time_panel_is_sent(client, lengths, alice, next_monday):
    response = client.get(
        reverse("bookings:time"), choice(lengths[30], alice) | {"day": next_monday.isoformat()}, HTTP_HX_REQUEST="true"
    )
    page = response.content.decode()
    assert page.lstrip().startswith("{#") is False
    assert '<div id="when"' in page and "<html" not in page
    assert "Times on" in page


def test_the_time_step_rechecks_the_choices(client, lengths, next_monday):
    chris = make_therapist("Chris Short", lengths=[lengths[30]])
    page = client.get(
        reverse("bookings:time"), choice(lengths[60], chris) | {"day": next_monday.isoformat()}
    ).content.decode()
    assert "does not offer 60-minute sessions" in page
