"""More than one treatment: the flow starts with the treatment, and no two choices read the same.

With one treatment the flow is exactly as it was (no extra step): see the last tests.
"""

import re

import pytest
from django.urls import reverse

from tests.bookings.conftest import choice

pytestmark = pytest.mark.django_db

BOOK = reverse("bookings:book")


def radio_labels(page: str) -> list[str]:
    """What each radio choice on a page reads as, whitespace folded."""
    labels = re.findall(r'<label class="choice-card"[^>]*>(.*?)</label>', page, flags=re.S)
    return [" ".join(re.sub(r"<[^>]+>", " ", label).split()) for label in labels]


def test_with_two_treatments_no_two_choices_on_the_booking_page_read_the_same(
    client, lengths, sports_massage, alice, cara
):
    page = client.get(BOOK, choice(sports_massage[30], cara)).content.decode()
    labels = radio_labels(page)
    assert labels
    assert len(labels) == len(set(labels)), labels


def test_with_two_treatments_the_home_page_never_shows_the_same_length_and_price_twice(
    client, lengths, sports_massage, alice, cara
):
    page = client.get(reverse("bookings:home")).content.decode()
    assert "Sports massage" in page
    items = [" ".join(re.sub(r"<[^>]+>", " ", li).split()) for li in re.findall(r"<li>(.*?)</li>", page, flags=re.S)]
    priced = [item for item in items if "£" in item]
    assert len(priced) == len(set(priced)), priced
