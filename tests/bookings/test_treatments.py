"""More than one treatment: the flow starts with the treatment, and no two choices read the same.

With one treatment the flow is exactly as it was (no extra step): see the last tests.
"""

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from bookings.models import Appointment
from tests.bookings.conftest import choice, details, slot
from tests.conftest import at, make_therapist

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


def section(page: str, treatment: str) -> str:
    """The home page's part about one treatment: from its heading to the next one's."""
    start = page.index(f">{treatment}</h3>")
    end = page.find("<h3", start)
    return " ".join(re.sub(r"<[^>]+>", " ", page[start : end if end > 0 else None]).split())


def test_with_two_treatments_the_home_page_lists_each_with_its_lengths_prices_and_book_link(
    client, lengths, sports_massage, alice, cara
):
    page = client.get(reverse("bookings:home")).content.decode()
    soft, sports = section(page, "Soft tissue release massage"), section(page, "Sports massage")
    assert "Hands-on release of tight muscles." in soft and "Deep work for training loads." in sports
    assert "30 minutes £40" in soft and "45 minutes £55" in soft and "60 minutes £70" in soft
    assert "30 minutes £40" in sports and "60 minutes £65" in sports and "45 minutes" not in sports
    assert "Book Soft tissue release massage" in soft and "Book Sports massage" in sports
    assert f'href="{BOOK}?treatment=sports-massage"' in page
    assert f'href="{BOOK}?treatment=soft-tissue-release"' in page


def test_with_two_treatments_the_flow_starts_with_the_treatment(client, lengths, sports_massage, alice, cara):
    page = client.get(BOOK).content.decode()
    assert "<title>Book a massage: choose a treatment" in page
    assert "Step 1 of 6" in page
    assert 'name="length"' not in page  # no lengths before a treatment is chosen
    assert "Deep work for training loads." in page and "Hands-on release of tight muscles." in page
    assert "Choose Sports massage" in page and "Choose Soft tissue release massage" in page
    assert "£65" in page  # each treatment's lengths and prices


def test_choosing_a_treatment_shows_only_its_lengths_and_the_therapists_who_offer_it(
    client, lengths, sports_massage, alice, cara
):
    page = client.get(BOOK, {"treatment": "sports-massage"}).content.decode()
    assert "Step 2 of 6" in page
    assert radio_labels(page) == [
        "Sports massage, 30 minutes, £40",
        "Sports massage, 60 minutes, £65",
        "No preference The most times to choose from",
        "Cara Sports Does not offer this length",
    ]
    assert "Alice Example" not in page


def test_the_other_treatment_shows_its_own_lengths_and_therapists(client, lengths, sports_massage, alice, cara):
    page = client.get(BOOK, {"treatment": "soft-tissue-release"}).content.decode()
    assert [label for label in radio_labels(page) if "£" in label] == [
        "Soft tissue release massage, 30 minutes, £40",
        "Soft tissue release massage, 45 minutes, £55",
        "Soft tissue release massage, 60 minutes, £70",
    ]
    assert "Alice Example" in page and "Cara Sports" not in page


def test_a_therapist_who_does_both_is_offered_for_both(client, lengths, sports_massage, alice, cara):
    both = make_therapist("Dee Both", lengths=[lengths[30], sports_massage[60]], order=4)
    for slug in ("sports-massage", "soft-tissue-release"):
        assert both.name in client.get(BOOK, {"treatment": slug}).content.decode()


def test_back_from_a_later_step_returns_to_the_treatment_of_the_length(client, lengths, sports_massage, alice, cara):
    page = client.get(BOOK, choice(sports_massage[60], cara)).content.decode()
    assert "Book: Sports massage" in page
    assert "Soft tissue release massage, 30 minutes" not in page
    assert f'value="{sports_massage[60].pk}" id="id_length_1"\n                 checked' in page


def test_an_unknown_treatment_in_the_address_shows_the_treatment_step(client, lengths, sports_massage, alice, cara):
    page = client.get(BOOK, {"treatment": "made-up"}).content.decode()
    assert "Which treatment would you like?" in page


def test_a_treatment_nobody_offers_is_not_listed(client, lengths, sports_massage, alice):
    """Sports massage has lengths but no therapist gives it: one treatment, the flow as before."""
    page = client.get(BOOK).content.decode()
    assert "Step 1 of 5" in page and "Sports massage" not in page
    assert "Sports massage" not in client.get(reverse("bookings:home")).content.decode()


def test_no_preference_means_anyone_who_offers_the_chosen_length(client, lengths, sports_massage, alice, cara):
    page = client.get(reverse("bookings:day"), choice(sports_massage[30])).content.decode()
    assert "Sports massage, 30 minutes, £40, with any therapist" in " ".join(page.split())
    assert "Step 3 of 6" in page


def test_a_therapist_cannot_be_booked_for_a_treatment_they_do_not_give(client, lengths, sports_massage, alice, cara):
    page = client.get(reverse("bookings:day"), choice(sports_massage[30], alice)).content.decode()
    assert "Alice Example does not offer 30-minute Sports massage sessions" in page


def test_a_booking_of_the_second_treatment_is_priced_by_its_length_and_its_confirmation_names_it(
    client, lengths, sports_massage, alice, cara, next_monday, clinic_settings
):
    start = at(next_monday, "10:00")
    details_page = client.get(reverse("bookings:details"), slot(sports_massage[60], cara, start)).content.decode()
    assert "Sports massage, 60 minutes" in details_page and "£65, paid at the clinic" in details_page
    response = client.post(reverse("bookings:details"), details(sports_massage[60], cara, start))
    assert response.status_code == 302
    appointment = Appointment.objects.get()
    assert appointment.length == sports_massage[60]
    assert appointment.price == Decimal("65")
    page = " ".join(client.get(response["Location"]).content.decode().split())
    assert "Sports massage, 60 minutes" in page
    assert "£65" in page


# --- one treatment: the flow as it was ---------------------------------------------------------


def test_with_one_treatment_the_flow_has_the_same_steps_as_now(client, lengths, alice, next_monday, clinic_settings):
    """Length, day, time, details, booked: five steps, the first being the lengths."""
    first = client.get(BOOK).content.decode()
    assert "<title>Book a massage: choose a length" in first
    assert radio_labels(first)[:3] == ["30 minutes, £40", "45 minutes, £55", "60 minutes, £70"]
    start = at(next_monday, "10:00")
    pages = [
        first,
        client.get(reverse("bookings:day"), choice(lengths[45], alice)).content.decode(),
        client.get(
            reverse("bookings:time"), choice(lengths[45], alice) | {"day": next_monday.isoformat()}
        ).content.decode(),
        client.get(reverse("bookings:details"), slot(lengths[45], alice, start)).content.decode(),
    ]
    response = client.post(reverse("bookings:details"), details(lengths[45], alice, start))
    pages.append(client.get(response["Location"]).content.decode())
    for number, page in enumerate(pages, start=1):
        assert f"Step {number} of 5" in page
        assert ">Treatment</li>" not in page
        assert "Sports massage" not in page
    assert "Length</dt><dd>45 minutes</dd>" in pages[3]


def test_with_one_treatment_the_home_page_lists_lengths_and_prices_as_before(client, lengths, alice):
    page = client.get(reverse("bookings:home")).content.decode()
    assert "Lengths and prices" in page and "Treatments and prices" not in page
    assert "<li><span>30 minutes</span> <strong>£40</strong></li>" in page
    assert "?treatment=" not in page
