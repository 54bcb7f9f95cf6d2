"""The demo clinic command: a fictional clinic, loadable twice without duplicates."""

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command

from bookings.models import Appointment, Treatment, TreatmentLength
from therapists.models import Therapist

pytestmark = pytest.mark.django_db


def test_it_loads_a_fictional_clinic_with_staff_and_upcoming_appointments():
    call_command("load_demo_clinic")
    assert Therapist.objects.count() == 3
    assert sorted(TreatmentLength.objects.values_list("minutes", flat=True)) == [30, 45, 60]
    assert Appointment.objects.count() > 20
    assert set(User.objects.values_list("username", flat=True)) >= {"manager", "reception", "therapist"}
    assert all(str(p).startswith("+4477009") for p in Appointment.objects.values_list("patient__phone", flat=True))


def test_loading_it_again_adds_nothing():
    call_command("load_demo_clinic")
    counts = (Therapist.objects.count(), Treatment.objects.count(), Appointment.objects.count(), User.objects.count())
    call_command("load_demo_clinic")
    assert counts == (
        Therapist.objects.count(),
        Treatment.objects.count(),
        Appointment.objects.count(),
        User.objects.count(),
    )


def test_the_demo_shows_every_kind_of_screening_badge_but_referral():
    call_command("load_demo_clinic")
    online = Appointment.objects.filter(source=Appointment.Source.ONLINE)
    reception = Appointment.objects.filter(source=Appointment.Source.RECEPTION)
    assert set(online.values_list("screening_status", flat=True)) == {"clear", "flagged"}
    assert set(reception.values_list("screening_status", flat=True)) == {"not_screened"}
    assert all(a.answer_sets.count() == 1 for a in online)
