"""The booking form's rate limit: polite when hit, and out of the way when the cache is down
(issue 10, findings 1 and 4)."""

import pytest
from django.urls import reverse

from bookings.models import Appointment
from clinic.core import ratelimits
from clinic.sms.models import Message
from tests.bookings.conftest import details
from tests.conftest import at

pytestmark = pytest.mark.django_db


def post(client, data, **extra):
    return client.post(reverse("bookings:details"), data, **extra)


def test_over_the_booking_limit_the_patient_gets_a_polite_page_with_the_phone_and_retry_after(
    client, settings, lengths, alice, next_monday
):
    settings.BOOKING_RATE_PER_IP = "2/h"
    for hour in ("10:00", "11:00"):
        assert post(client, details(lengths[30], alice, at(next_monday, hour))).status_code == 302

    refused = post(client, details(lengths[30], alice, at(next_monday, "12:00")))

    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 3600
    page = refused.content.decode()
    assert "Please try again a little later" in page and "01632 960000" in page
    assert 'class="site-header' in page  # the site's layout, not a bare 403
    assert Appointment.objects.count() == 2


def test_the_limit_counts_only_submissions_not_page_views(client, settings, lengths, alice, next_monday):
    settings.BOOKING_RATE_PER_IP = "1/h"
    for _ in range(3):
        client.get(reverse("bookings:details"), {"length": lengths[30].pk, "therapist": alice.pk})
    assert post(client, details(lengths[30], alice, at(next_monday, "10:00"))).status_code == 302


def test_with_the_cache_unreachable_a_patient_can_still_book(
    client, unreachable_cache, lengths, alice, next_monday, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, details(lengths[30], alice, at(next_monday, "10:00")))

    assert response.status_code == 302
    assert Appointment.objects.count() == 1
    assert Message.objects.filter(kind="booking_confirmation").count() == 1
    assert client.get(response["Location"]).status_code == 200
    assert ratelimits.fail_open_counts == {"bookings.details": 1}
