"""The day and time pages check the patient's choice against the catalogue directly (building the
form cost more than a cached panel); the form says what is wrong. Both must accept exactly the
same choices, or a page would show times for a choice the form refuses, or refuse a good one."""

from decimal import Decimal

import pytest
from django.urls import reverse

from bookings.catalogue import NO_PREFERENCE, load_catalogue
from bookings.forms import ChoiceForm
from bookings.models import TreatmentLength
from tests.conftest import make_therapist

pytestmark = pytest.mark.django_db


def test_the_catalogue_accepts_exactly_the_choices_the_form_accepts(lengths, alice, sports_massage):
    only_short = make_therapist("Only Short", lengths=[lengths[30]], order=3)
    left = make_therapist("Left Clinic", lengths=lengths.values(), order=4)
    left.active = False
    left.save()
    sports_only = make_therapist("Sports Only", lengths=sports_massage.values(), order=5)
    nobody = TreatmentLength.objects.create(treatment=lengths[30].treatment, minutes=90, price=Decimal("90"))
    all_lengths = [*lengths.values(), *sports_massage.values(), nobody]
    length_values = [str(x.pk) for x in all_lengths] + [f"0{lengths[30].pk}", f" {lengths[30].pk}", "", "x", None]
    therapists = [alice, only_short, left, sports_only]
    therapist_values = [NO_PREFERENCE, *(str(t.pk) for t in therapists), f"0{alice.pk}", "", "ANY", None]
    catalogue = load_catalogue()
    accepted = 0
    for length_value in length_values:
        for therapist_value in therapist_values:
            data = {k: v for k, v in (("length", length_value), ("therapist", therapist_value)) if v is not None}
            form = ChoiceForm(data)
            choice = catalogue.choice(length_value, therapist_value)
            assert (choice is not None) == form.is_valid(), (data, form.errors)
            if choice is not None:
                accepted += 1
                assert choice == (form.cleaned_data["length"], form.cleaned_data["therapist_obj"])
    # Alice: 3 lengths, Only Short: 1, Sports Only: 2, no preference: 5 (all but the 90 minutes).
    assert accepted == 11


def test_a_choice_the_catalogue_refuses_gets_the_forms_message(client, lengths, alice):
    only_short = make_therapist("Only Short", lengths=[lengths[30]], order=3)
    page = client.get(reverse("bookings:time"), {"length": lengths[60].pk, "therapist": only_short.pk}).content
    assert "Only Short does not offer 60-minute sessions." in page.decode()
