"""The details page for a bookable time is rendered once and shared between visitors, each of
whom still gets their own CSRF token and one-time booking token on it."""

import re

import pytest
from django.test import Client

from bookings.models import Appointment
from bookings.services import create_booking
from tests.bookings.conftest import details, slot
from tests.conftest import at

pytestmark = pytest.mark.django_db

URL = "/book/details/"


def tokens_on(page: str) -> tuple[str, str]:
    """(the CSRF token, the one-time booking token) in the page's form."""
    [csrf] = re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    [one_time] = re.findall(r'name="token" value="([^"]+)"', page)
    return csrf, one_time


def without_tokens(page: str) -> str:
    return re.sub(r'(name="(?:csrfmiddlewaretoken|token)" value=")[^"]+"', r'\1"', page)


def test_a_second_visitor_is_served_the_shared_page_with_tokens_of_their_own(lengths, alice, next_monday):
    query = slot(lengths[45], alice, at(next_monday, "10:00"))
    first = Client().get(URL, query)
    second = Client().get(URL, query)
    assert second.status_code == 200
    assert second.templates == []  # not rendered again
    first_tokens, second_tokens = tokens_on(first.content.decode()), tokens_on(second.content.decode())
    assert first_tokens[0] != second_tokens[0] and first_tokens[1] != second_tokens[1]
    assert "csrf-token-of-this-visitor" not in second.content.decode()
    assert second.cookies["csrftoken"].value  # the token's secret, as {% csrf_token %} sets it


def test_the_shared_page_is_the_page_rendered_for_one_visitor(lengths, alice, next_monday, settings):
    query = slot(lengths[45], alice, at(next_monday, "10:00"))
    Client().get(URL, query)
    shared = Client().get(URL, query).content.decode()
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    fresh = Client().get(URL, query).content.decode()
    assert without_tokens(shared) == without_tokens(fresh)


def test_two_visitors_sent_the_shared_page_book_with_their_own_tokens(lengths, alice, next_monday):
    # Had they been given the same one-time token, the second would be shown the first one's
    # booking as theirs; had the CSRF token been another visitor's, their POST would be refused.
    query = slot(lengths[45], alice, at(next_monday, "10:00"))
    visitors = [Client(enforce_csrf_checks=True) for _ in range(2)]
    pages = [visitor.get(URL, query).content.decode() for visitor in visitors]
    answers = []
    for visitor, page, phone in zip(visitors, pages, ["07700 900456", "07700 900789"], strict=True):
        csrf, one_time = tokens_on(page)
        form = details(lengths[45], alice, at(next_monday, "10:00"), phone=phone, token=one_time)
        answers.append(visitor.post(URL, form | {"csrfmiddlewaretoken": csrf}))
    assert answers[0].status_code == 302
    assert answers[1].status_code == 200
    assert "Sorry, that time has just been booked." in answers[1].content.decode()
    assert Appointment.objects.get().patient.phone == "+447700900456"


def test_a_time_taken_after_its_page_was_shared_is_refused_before_anything_is_typed(
    patient, lengths, alice, next_monday
):
    query = slot(lengths[30], alice, at(next_monday, "10:00"))
    Client().get(URL, query)
    create_booking(length=lengths[30], therapist=alice, start=at(next_monday, "10:00"), patient=patient)
    page = Client().get(URL, query).content.decode()
    assert "Sorry, that time has just been booked." in page
    assert len(re.findall(r'name="pick_start"', page)) == 3


def test_a_renamed_therapist_is_named_on_the_shared_page_at_once(lengths, alice, next_monday):
    query = slot(lengths[45], alice, at(next_monday, "10:00"))
    Client().get(URL, query)
    alice.name = "Alice Renamed"
    alice.save()
    assert "Alice Renamed" in Client().get(URL, query).content.decode()


def test_a_visitor_with_a_session_gets_the_page_rendered_for_them(lengths, alice, next_monday, settings):
    # The layout shows messages left in the session: that page is theirs, not shared.
    query = slot(lengths[45], alice, at(next_monday, "10:00"))
    Client().get(URL, query)
    visitor = Client()
    visitor.cookies[settings.SESSION_COOKIE_NAME] = "a-session"
    response = visitor.get(URL, query)
    assert response.status_code == 200 and response.templates != []
