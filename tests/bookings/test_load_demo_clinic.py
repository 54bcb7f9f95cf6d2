"""The demo clinic command: a fictional clinic with a past, a today and a future, loadable twice
without duplicates."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.utils import timezone

from bookings.models import Appointment, Treatment, TreatmentLength, local_day_bounds
from therapists.models import Therapist

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

Status = Appointment.Status


def statuses_between(first, last) -> list[str]:
    return list(
        Appointment.objects.filter(start__gte=local_day_bounds(first)[0], start__lt=local_day_bounds(last)[1])
        .order_by("start")
        .values_list("status", flat=True)
    )


def counts():
    return (Therapist.objects.count(), Treatment.objects.count(), Appointment.objects.count(), User.objects.count())


def test_it_loads_a_fictional_clinic_with_a_realistic_today_last_week_and_next_two_weeks(time_machine):
    # A Tuesday at 14:30: every demo therapist works Tuesdays.
    time_machine.move_to(datetime(2030, 1, 8, 14, 30, tzinfo=ZoneInfo("Europe/London")), tick=False)
    call_command("load_demo_clinic")
    today = timezone.localdate()

    assert Therapist.objects.count() == 3
    assert sorted(TreatmentLength.objects.values_list("minutes", flat=True)) == [30, 45, 60]
    assert set(User.objects.values_list("username", flat=True)) >= {"manager", "reception", "therapist"}
    assert all(str(p).startswith("+4477009") for p in Appointment.objects.values_list("patient__phone", flat=True))

    upcoming = statuses_between(today + timedelta(days=1), today + timedelta(days=14))
    assert len(upcoming) > 20 and set(upcoming) == {Status.BOOKED}

    day_start, day_end = local_day_bounds(today)
    todays = Appointment.objects.filter(start__gte=day_start, start__lt=day_end)
    started = list(todays.filter(start__lte=timezone.now()).values_list("status", flat=True))
    assert started.count(Status.NO_SHOW) == 1
    assert Status.ARRIVED in started and Status.COMPLETED in started
    assert set(todays.filter(start__gt=timezone.now()).values_list("status", flat=True)) == {Status.BOOKED}

    last_week = statuses_between(today - timedelta(days=7), today - timedelta(days=1))
    assert len(last_week) > 20
    assert Status.BOOKED not in last_week and Status.ARRIVED not in last_week
    assert {Status.COMPLETED, Status.NO_SHOW, Status.CANCELLED} <= set(last_week)

    # Online bookings come with health answers (clear, or flagged now and then); reception's without.
    online = Appointment.objects.filter(source=Appointment.Source.ONLINE)
    reception = Appointment.objects.filter(source=Appointment.Source.RECEPTION)
    assert set(online.values_list("screening_status", flat=True)) == {"clear", "flagged"}
    assert set(reception.values_list("screening_status", flat=True)) == {"not_screened"}
    assert all(a.answer_sets.count() == 1 for a in online)

    before = counts()
    call_command("load_demo_clinic")
    assert counts() == before
