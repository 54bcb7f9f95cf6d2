"""The course preview: every date free, or taken with why and three alternatives (same therapist
first); "session 2 of 6"; a fixed number of queries whatever the course's length."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from bookings.courses import parse_option, plan_course, same_time_every, session_numbers
from bookings.models import Appointment, Course, Patient, TreatmentLength
from clinic.core.models import ClinicSettings
from tests.bookings.diary_support import book
from tests.conftest import at
from therapists.models import Absence, Closure

pytestmark = pytest.mark.django_db


@pytest.fixture
def origin(patient, alice, lengths, next_monday):
    return book(patient, alice, lengths[30], at(next_monday, "10:00"))


@pytest.fixture
def robin(db):
    return Patient.objects.create(name="Robin Sample", phone="+447700900456")


def test_every_date_of_a_free_weekly_course_is_free_at_the_same_time_and_therapist(origin, alice, next_monday):
    planned = plan_course(appointment=origin, sessions=5, every_weeks=1)

    assert [p.number for p in planned] == [2, 3, 4, 5, 6]
    assert all(p.free and not p.reason and not p.alternatives for p in planned)
    assert [p.wanted.start for p in planned] == [at(next_monday + timedelta(weeks=n), "10:00") for n in range(1, 6)]
    assert {p.wanted.therapist_id for p in planned} == {alice.pk}
    assert [p.suggested for p in planned] == [p.wanted for p in planned]


def test_a_course_every_three_weeks_is_spaced_three_weeks_apart(origin, next_monday):
    planned = plan_course(appointment=origin, sessions=3, every_weeks=3)

    assert [timezone.localtime(p.wanted.start).date() for p in planned] == [
        next_monday + timedelta(weeks=3),
        next_monday + timedelta(weeks=6),
        next_monday + timedelta(weeks=9),
    ]


def test_a_taken_date_names_the_clash_and_offers_the_same_therapists_nearest_times_then_another_therapist(
    origin, alice, ben, robin, lengths, next_monday
):
    week_two = next_monday + timedelta(weeks=2)
    book(robin, alice, lengths[30], at(week_two, "10:00"))

    planned = plan_course(appointment=origin, sessions=3, every_weeks=1)

    taken = planned[1]
    assert not taken.free
    assert taken.reason == "Alice Example has Robin Sample 10:00–10:30."
    assert [(o.local_start.strftime("%a %H:%M"), o.therapist_name) for o in taken.alternatives] == [
        ("Mon 09:30", "Alice Example"),
        ("Mon 10:30", "Alice Example"),
        ("Mon 10:00", "Ben Sample"),
    ]
    assert taken.suggested == taken.alternatives[0]
    assert planned[0].free and planned[2].free


def test_a_clash_with_clearing_up_time_says_until_when(origin, alice, robin, treatment, next_monday):
    with_buffer = TreatmentLength.objects.create(
        treatment=treatment, minutes=20, price=Decimal("30"), buffer_minutes=15
    )
    alice.lengths.add(with_buffer)
    book(robin, alice, with_buffer, at(next_monday + timedelta(weeks=1), "09:45"))

    planned = plan_course(appointment=origin, sessions=1, every_weeks=1)

    assert planned[0].reason == "Alice Example has Robin Sample 09:45–10:05, clearing up until 10:20."


def test_a_closed_day_and_an_absence_say_so_and_alternatives_fall_on_other_days(origin, alice, next_monday):
    closed = next_monday + timedelta(weeks=1)
    Closure.objects.create(start_date=closed, end_date=closed, reason="Bank holiday")
    away = next_monday + timedelta(weeks=2)
    Absence.objects.create(therapist=alice, starts_at=at(away, "09:00"), ends_at=at(away, "13:00"), reason="Dentist")

    planned = plan_course(appointment=origin, sessions=2, every_weeks=1)

    assert planned[0].reason == "The clinic is closed that day."
    assert all(timezone.localtime(o.start).date() != closed for o in planned[0].alternatives)
    assert len(planned[0].alternatives) == 3
    assert planned[1].reason == "Alice Example is away then."
    assert planned[1].alternatives[0].local_start.strftime("%H:%M") == "14:00"  # her afternoon that day


def test_a_date_when_the_patient_is_already_booked_is_not_offered(origin, patient, ben, lengths, next_monday):
    book(patient, ben, lengths[60], at(next_monday + timedelta(weeks=1), "09:30"))

    planned = plan_course(appointment=origin, sessions=1, every_weeks=1)

    assert not planned[0].free
    assert planned[0].reason == "Pat Example already has 09:30 with Ben Sample that day."
    assert all(
        o.start >= at(next_monday + timedelta(weeks=1), "10:30") or o.start.date() != planned[0].wanted.start.date()
        for o in planned[0].alternatives
    )


def test_a_course_keeps_its_wall_clock_time_across_the_clock_change():
    # Monday 21 October 2030 is in British Summer Time; the next Monday is in GMT.
    start = timezone.make_aware(timezone.datetime(2030, 10, 21, 10, 0))
    later = same_time_every(start, count=2, every_weeks=1)
    assert [timezone.localtime(s).strftime("%Y-%m-%d %H:%M %Z") for s in later] == [
        "2030-10-28 10:00 GMT",
        "2030-11-04 10:00 GMT",
    ]


def test_an_option_value_round_trips_and_nonsense_is_refused(origin):
    option = plan_course(appointment=origin, sessions=1, every_weeks=1)[0].wanted
    assert parse_option(option.value) == (option.start, option.therapist_id)
    assert parse_option("next tuesday|1") is None
    assert parse_option("2030-01-07T10:00Z") is None


def test_the_preview_costs_the_same_queries_for_two_sessions_as_for_twelve(origin, ben):
    ClinicSettings.load()
    # Once first, so both runs below find the same cached inputs (settings, set-up snapshot).
    plan_course(appointment=Appointment.objects.get(pk=origin.pk), sessions=2, every_weeks=1)
    with CaptureQueriesContext(connection) as two:
        plan_course(appointment=Appointment.objects.get(pk=origin.pk), sessions=2, every_weeks=1)
    with CaptureQueriesContext(connection) as twelve:
        plan_course(appointment=Appointment.objects.get(pk=origin.pk), sessions=12, every_weeks=4)
    assert len(two) == len(twelve)


def test_sessions_are_numbered_in_date_order_and_cancelled_ones_are_not_counted(patient, alice, lengths, next_monday):
    course = Course.objects.create(patient=patient, therapist=alice, length=lengths[30])
    sessions = [
        book(patient, alice, lengths[30], at(next_monday + timedelta(weeks=n), "10:00"), course=course)
        for n in (2, 0, 1, 3)
    ]
    sessions[3].status = Appointment.Status.CANCELLED
    sessions[3].save()

    numbers = session_numbers(sessions)

    assert numbers == {sessions[1].pk: (1, 3), sessions[2].pk: (2, 3), sessions[0].pk: (3, 3)}


def test_a_past_date_is_not_free(origin, time_machine, next_monday):
    time_machine.move_to(at(next_monday + timedelta(weeks=1), "12:00"))
    planned = plan_course(appointment=origin, sessions=2, every_weeks=1)
    assert planned[0].reason == "That date has passed."
    assert planned[1].free
    assert date.today() <= timezone.localtime(planned[1].wanted.start).date()
