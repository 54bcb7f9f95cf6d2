"""The loader feeds the engine from the database in a constant number of queries."""

from datetime import date, datetime, time, timedelta

import pytest
from django.utils import timezone

from bookings.models import Appointment
from bookings.schedules import find_free_starts, load_schedules
from tests.conftest import at, make_therapist
from therapists.models import Absence, Closure

pytestmark = pytest.mark.django_db

LOADER_QUERIES = 4  # working hours, absences, closures (the set-up snapshot), appointments
WARM_LOADER_QUERIES = 1  # the appointments; the rest from the cached snapshot


def test_the_loader_runs_the_same_queries_for_one_therapist_one_day_as_for_eight_over_a_week(
    lengths, django_assert_num_queries
):
    therapists = [make_therapist(f"Therapist {i}", lengths=lengths.values()) for i in range(8)]
    first = date(2030, 1, 7)
    with django_assert_num_queries(LOADER_QUERIES):
        load_schedules([therapists[0].pk], first, first)
    with django_assert_num_queries(WARM_LOADER_QUERIES):
        load_schedules([t.pk for t in therapists], first, first + timedelta(days=6))
    with django_assert_num_queries(WARM_LOADER_QUERIES):
        load_schedules([t.pk for t in therapists], first, first + timedelta(days=364))


def test_a_window_in_the_past_reads_hours_absences_and_closures_from_the_database(lengths, django_assert_num_queries):
    therapist = make_therapist("Therapist", lengths=lengths.values())
    load_schedules([therapist.pk], date(2030, 1, 7), date(2030, 1, 7))  # the snapshot is cached now
    last_month = timezone.localdate() - timedelta(days=30)
    with django_assert_num_queries(LOADER_QUERIES):
        load_schedules([therapist.pk], last_month, last_month)


def test_free_starts_come_from_hours_appointments_absences_and_closures_together(patient, alice, lengths, next_monday):
    Appointment.objects.create(patient=patient, therapist=alice, length=lengths[60], start=at(next_monday, "09:00"))
    Absence.objects.create(
        therapist=alice, starts_at=at(next_monday, "14:00"), ends_at=at(next_monday, "17:00"), reason="Training"
    )
    tuesday = next_monday + timedelta(days=1)
    Closure.objects.create(start_date=tuesday, end_date=tuesday, reason="Bank holiday")
    found = find_free_starts(therapist_ids=[alice.pk], length=lengths[60], first_day=next_monday, last_day=tuesday)[
        alice.pk
    ]
    assert [f"{timezone.localtime(s):%H:%M}" for s in found[next_monday]] == [
        "10:00",
        "10:15",
        "10:30",
        "10:45",
        "11:00",
        "11:15",
        "11:30",
        "11:45",
        "12:00",
    ]
    assert found[tuesday] == []


def test_cancelled_appointments_do_not_hold_time(patient, alice, lengths, next_monday):
    appointment = Appointment.objects.create(
        patient=patient, therapist=alice, length=lengths[60], start=at(next_monday, "09:00")
    )
    appointment.status = Appointment.Status.CANCELLED
    appointment.save()
    found = find_free_starts(therapist_ids=[alice.pk], length=lengths[60], first_day=next_monday, last_day=next_monday)
    assert at(next_monday, "09:00") in found[alice.pk][next_monday]


def test_online_rules_apply_the_clinics_notice_and_horizon_but_reception_is_free_of_them(alice, lengths):
    from clinic.core.models import ClinicSettings

    clinic = ClinicSettings.load()
    clinic.horizon_days = 7
    clinic.save()
    monday = date(2030, 1, 7)
    now = timezone.make_aware(datetime.combine(monday, time(8)))
    online = find_free_starts(
        therapist_ids=[alice.pk], length=lengths[30], first_day=monday, last_day=monday + timedelta(days=14), now=now
    )[alice.pk]
    assert online[monday][0] == at(monday, "10:00")  # two hours' notice
    assert online[monday + timedelta(days=8)] == []  # beyond the horizon
    reception = find_free_starts(
        therapist_ids=[alice.pk],
        length=lengths[30],
        first_day=monday,
        last_day=monday + timedelta(days=14),
        now=now,
        online=False,
    )[alice.pk]
    assert reception[monday][0] == at(monday, "09:00")
    assert reception[monday + timedelta(days=8)] != []
