"""The diary's query budget: the same few queries whatever the clinic's or the day's size.

Timings belong in `bench/diary.py` (docs/benchmarks.md); these count queries exactly, so a
lookup per block or per therapist fails CI.
"""

from datetime import timedelta

import pytest
from django.urls import reverse

from bench.diary import seed_diary
from bookings.models import Appointment, Patient
from tests.bookings.diary_support import book, ensure_roles_exist
from tests.conftest import at, make_therapist

pytestmark = pytest.mark.django_db

DIARY = reverse("admin:bookings_diary")
WEEK = reverse("admin:bookings_diary_week")

# Session, user, the user's permissions (two queries: Django admin's own), then the diary's:
# the day's set-up in three (therapists with the day's closure as a subquery, working hours,
# absences: bookings/diary/setup.py), the appointments (with patient and treatment names and the
# blocks' cheap facts joined in), and the texts the blocks' reception details show
# (bookings/diary/facts.py; no query for other therapists' appointments, as every therapist is on
# the page). The live diary's token is made from those rows (bookings/diary/live.py) and the
# clinic's name in the admin's header comes from the cache (`ClinicSettings.load`).
DIARY_QUERIES = 9
# Once the day's set-up is cached (under the `setup` version: reception's diary all day long),
# only the appointments and the texts are read: after any write to an appointment, a patient or
# a text, which gives the cached page (bookings/diary/page.py) a new version.
WARM_DIARY_QUERIES = 6
# The same page again with nothing changed: the session, the user and the permissions alone.
CACHED_DIARY_QUERIES = 4
# The week: session, user, permissions (two), the therapists to choose from, then hours,
# absences, closures and appointments of the one therapist shown; the blocks' two for reception's
# details.
WEEK_QUERIES = 11


@pytest.fixture(autouse=True)
def _roles(db, clinic_settings):
    ensure_roles_exist()


@pytest.fixture
def eight_therapists(lengths, next_monday):
    """8 therapists working 09:00-17:00 and 60 appointments between them."""
    hours = {wd: [("09:00", "17:00")] for wd in range(7)}
    therapists = [make_therapist(f"Therapist {i}", lengths=lengths.values(), order=i, hours=hours) for i in range(8)]
    patients = [Patient.objects.create(name=f"Patient {i}", phone=f"+4477009001{i:02d}") for i in range(60)]
    count = 0
    for hour in range(9, 17):
        for therapist in therapists:
            if count == 60:
                break
            length = lengths[60] if count % 3 == 0 else lengths[30]
            book(patients[count], therapist, length, at(next_monday, f"{hour:02d}:00"))
            count += 1
    return next_monday


@pytest.fixture
def forty_therapists(db):
    """The benchmark's clinic: 40 therapists, 24 appointments each on the day (960 blocks)."""
    day, therapists = seed_diary(40, 24)
    return day, therapists


def look_again_after_a_change(client, day, blocks, django_assert_num_queries):
    """The page again unchanged (cached), then after a patient's name is corrected (computed, with
    the set-up still cached), which the page shows."""
    with django_assert_num_queries(CACHED_DIARY_QUERIES):
        again = client.get(DIARY, {"date": day.isoformat()}).content.decode()
    assert again.count('class="block"') == blocks
    assert "Renamed Patient" not in again

    patient = Appointment.objects.filter(start__date=day).order_by("start", "pk").first().patient
    patient.name = "Renamed Patient"
    patient.save()
    with django_assert_num_queries(WARM_DIARY_QUERIES):
        changed = client.get(DIARY, {"date": day.isoformat()}).content.decode()
    assert changed.count('class="block"') == blocks
    assert "Renamed Patient" in changed


def test_a_day_of_8_therapists_costs_9_queries_then_4_then_6_after_a_change(
    client, receptionist, eight_therapists, django_assert_num_queries
):
    client.force_login(receptionist)
    with django_assert_num_queries(DIARY_QUERIES):
        response = client.get(DIARY, {"date": eight_therapists.isoformat()})
    assert response.status_code == 200
    assert response.content.decode().count('class="block"') == 60

    look_again_after_a_change(client, eight_therapists, 60, django_assert_num_queries)


def test_a_day_of_40_therapists_and_960_appointments_costs_the_same_9_then_4_then_6(
    client, receptionist, forty_therapists, django_assert_num_queries
):
    day, _ = forty_therapists
    client.force_login(receptionist)
    with django_assert_num_queries(DIARY_QUERIES):
        response = client.get(DIARY, {"date": day.isoformat()})
    page = response.content.decode()
    assert page.count('class="block"') == 960
    assert page.count('<th scope="col" class="therapist-col"') == 40

    look_again_after_a_change(client, day, 960, django_assert_num_queries)


def test_a_quiet_day_costs_the_same_number_of_queries(
    client, receptionist, alice, patient, lengths, next_monday, django_assert_num_queries
):
    book(patient, alice, lengths[30], at(next_monday, "09:00"))
    client.force_login(receptionist)
    with django_assert_num_queries(DIARY_QUERIES):
        client.get(DIARY, {"date": next_monday.isoformat()})


def test_a_week_costs_the_same_queries_however_full(client, receptionist, forty_therapists, django_assert_num_queries):
    day, therapists = forty_therapists
    client.force_login(receptionist)
    with django_assert_num_queries(WEEK_QUERIES):
        response = client.get(WEEK, {"therapist": therapists[0].pk, "date": day.isoformat()})
    assert response.content.decode().count('class="block"') == 24

    # An empty week has no blocks to read reception's details for: two fewer.
    with django_assert_num_queries(WEEK_QUERIES - 2):
        quiet = client.get(WEEK, {"therapist": therapists[0].pk, "date": (day + timedelta(days=7)).isoformat()})
    assert quiet.content.decode().count('class="block"') == 0
