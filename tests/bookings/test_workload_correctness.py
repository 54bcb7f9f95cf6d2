"""The engine answers the shared benchmark workload exactly as its reference does."""

from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone

from bench import workload
from bench.seed import seed
from bookings.models import Appointment
from bookings.schedules import BookingPolicy, find_free_starts

pytestmark = pytest.mark.django_db


def test_the_engine_matches_the_reference_for_every_therapist_on_every_day_of_the_measured_week():
    rows, therapists, lengths = seed(30)
    assert Appointment.objects.count() == 1165 == len(rows)
    week = workload.MEASURE_WEEK
    now = timezone.make_aware(datetime.combine(workload.START_DATE - timedelta(days=1), time(12)))
    policy = BookingPolicy(step=timedelta(minutes=workload.SLOT_STEP_MIN), min_notice=timedelta(0), horizon_days=400)
    found = find_free_starts(
        therapist_ids=[t.pk for t in therapists],
        length=lengths[workload.MEASURE_SERVICE],
        first_day=week[0],
        last_day=week[-1],
        now=now,
        policy=policy,
    )
    total = 0
    for index, therapist in enumerate(therapists):
        for day in week:
            ours = [timezone.localtime(s).time() for s in found[therapist.pk][day]]
            assert ours == workload.free_starts(rows, day, index, workload.MEASURE_SERVICE), (therapist, day)
            total += len(ours)
    assert total == 88  # the workload's published reference for figure b
    assert len(found[therapists[0].pk][workload.MEASURE_DAY]) == 1  # figure a
