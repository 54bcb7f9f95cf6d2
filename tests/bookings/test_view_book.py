"""Step 1 of the booking flow: length and therapist, checked again on every later step."""

import pytest
from django.urls import reverse

from tests.bookings.conftest import choice
from tests.conftest import make_therapist

pytestmark = pytest.mark.django_db


def test_step_one_lists_the_lengths_with_prices_and_the_therapists(client, lengths, alice, ben):
    page = client.get(reverse("bookings:book")).content.decode()
    assert "30 minutes, £40" in page and "45 minutes, £55" in page and "60 minutes, £70" in page
    assert "No preference" in page
    assert "Alice Example" in page and "Ben Sample" in page
    assert "<title>Book a massage: choose a length" in page


def test_a_valid_choice_leads_to_the_days(client, lengths, alice):
    response = client.get(reverse("bookings:day"), choice(lengths[45], alice))
    assert response.status_code == 200
    assert "Choose a day" in response.content.decode()
    assert "45 minutes, £55" in response.content.decode()


def test_back_to_step_one_keeps_the_choices(client, lengths, alice):
    page = client.get(reverse("bookings:book"), choice(lengths[60], alice)).content.decode()
    assert f'value="{lengths[60].pk}" id="id_length_2"\n                 checked' in page
    assert f'value="{alice.pk}" id="id_therapist_{alice.pk}" checked' in page


def test_a_length_the_therapist_does_not_offer_is_explained_next_to_the_therapist(client, lengths):
    chris = make_therapist("Chris Short", lengths=[lengths[30]])
    response = client.get(reverse("bookings:day"), choice(lengths[60], chris))
    page = response.content.decode()
    assert "Chris Short does not offer 60-minute sessions" in page
    assert 'id="therapist-error"' in page
    assert 'href="#id_therapist"' in page  # the error summary links to the field
    assert f'value="{chris.pk}" id="id_therapist_{chris.pk}" checked' in page  # choice kept


def test_a_tampered_length_is_refused_clearly(client, lengths, alice):
    response = client.get(reverse("bookings:day"), {"length": "99999", "therapist": str(alice.pk)})
    assert "That length is not available" in response.content.decode()


def test_a_tampered_therapist_is_refused_clearly(client, lengths):
    response = client.get(reverse("bookings:day"), {"length": str(lengths[30].pk), "therapist": "'; drop"})
    assert "That therapist cannot be booked online" in response.content.decode()


def test_an_inactive_therapist_cannot_be_chosen(client, lengths, alice):
    alice.active = False
    alice.save()
    response = client.get(reverse("bookings:day"), choice(lengths[30], alice))
    assert "That therapist cannot be booked online" in response.content.decode()


def test_choosing_nothing_asks_for_both(client, lengths, alice):
    page = client.get(reverse("bookings:day")).content.decode()
    assert "Choose how long you would like" in page
    assert "There is a problem" in page
