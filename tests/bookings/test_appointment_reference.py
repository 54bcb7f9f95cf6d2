"""Appointment references: short enough to read out over the phone, and never a 500 on a clash."""

import re

import pytest

from bookings.models import Appointment, new_reference
from tests.conftest import at

pytestmark = pytest.mark.django_db


def test_a_reference_reads_like_k7q_4mx_without_look_alike_characters():
    for _ in range(200):
        assert re.fullmatch(r"[ACDEFGHJKMNPQRTUVWXY3467]{3}-[ACDEFGHJKMNPQRTUVWXY3467]{3}", new_reference())


def insert(patient, therapist, length, start):
    return Appointment.objects.create(patient=patient, therapist=therapist, length=length, start=start)


def test_a_reference_that_is_already_taken_is_drawn_again(patient, alice, lengths, next_monday, monkeypatch):
    from bookings import models

    first = insert(patient, alice, lengths[30], at(next_monday, "09:00"))
    draws = iter([first.reference, "KKK-777"])
    monkeypatch.setattr(models, "new_reference", lambda: next(draws))
    second = Appointment(patient=patient, therapist=alice, length=lengths[30], start=at(next_monday, "10:00"))
    second.reference = first.reference
    second.save()
    assert second.reference == "KKK-777"
    assert Appointment.objects.count() == 2
