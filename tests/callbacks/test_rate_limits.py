"""Rate limits on the callback form: per client IP (5 an hour) and per phone (3 a day)."""

import pytest

from callbacks.models import CallbackRequest
from clinic.sms.models import Message

from .conftest import form_data

pytestmark = pytest.mark.django_db

URL = "/callback/"


def _phone(n: int) -> str:
    return f"07400 1234{n:02d}"


def test_the_sixth_request_from_one_ip_within_the_hour_is_refused_politely_and_stores_nothing(client):
    for n in range(5):
        assert client.post(URL, form_data(phone=_phone(n))).status_code == 302
    assert CallbackRequest.objects.count() == 5
    messages_before = Message.objects.count()

    response = client.post(URL, form_data(phone=_phone(6)))

    assert response.status_code == 429
    assert "Sorry, we cannot take another request just now" in response.content.decode()
    assert "01632 960000" in response.content.decode()
    assert CallbackRequest.objects.count() == 5
    assert Message.objects.count() == messages_before


def test_a_forged_x_forwarded_for_does_not_change_the_key_when_no_proxy_is_trusted(client, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    for n in range(5):
        client.post(URL, form_data(phone=_phone(n)), HTTP_X_FORWARDED_FOR=f"203.0.113.{n}")

    response = client.post(URL, form_data(phone=_phone(6)), HTTP_X_FORWARDED_FOR="198.51.100.77")

    assert response.status_code == 429
    assert CallbackRequest.objects.count() == 5


def test_behind_one_trusted_proxy_clients_are_told_apart_by_the_forwarded_address(client, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    for n in range(5):
        client.post(URL, form_data(phone=_phone(n)), HTTP_X_FORWARDED_FOR="203.0.113.10")

    # The same client forging an extra entry on the left still has the proxy's entry on the right.
    refused = client.post(URL, form_data(phone=_phone(6)), HTTP_X_FORWARDED_FOR="10.9.9.9, 203.0.113.10")
    other_client = client.post(URL, form_data(phone=_phone(7)), HTTP_X_FORWARDED_FOR="203.0.113.11")

    assert refused.status_code == 429
    assert other_client.status_code == 302
    assert CallbackRequest.objects.count() == 6


def test_the_fourth_request_for_one_phone_in_a_day_is_refused_politely(client):
    for n in range(3):
        response = client.post(URL, form_data(), REMOTE_ADDR=f"192.0.2.{n}")
        assert response.status_code == 302

    response = client.post(URL, form_data(), REMOTE_ADDR="192.0.2.99")

    assert response.status_code == 429
    assert "several requests for this phone number today" in response.content.decode()
    assert CallbackRequest.objects.get().times_asked == 3


def test_invalid_submissions_do_not_use_up_the_limit(client):
    for _ in range(6):
        client.post(URL, form_data(name=""))

    assert client.post(URL, form_data()).status_code == 302


@pytest.mark.redis
def test_the_counters_live_in_the_shared_redis_cache(client, settings):
    import redis
    from django.core.cache import caches

    assert type(caches["default"]).__name__ == "RedisCache"
    server = redis.Redis.from_url(settings.CACHES["default"]["LOCATION"])
    assert server.dbsize() == 0

    client.post(URL, form_data())

    assert server.dbsize() >= 2  # one counter for the IP, one for the phone


def test_the_refusal_says_when_to_try_again(client):
    for n in range(5):
        client.post(URL, form_data(phone=_phone(n)))

    response = client.post(URL, form_data(phone=_phone(6)))

    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 3600


def test_behind_the_balancer_25_patients_from_25_addresses_are_all_taken(client, settings):
    """Issue 17, finding 1: with the proxy trusted, each patient has their own limit."""
    settings.TRUSTED_PROXY_COUNT = 1
    codes = [
        client.post(URL, form_data(phone=_phone(n)), REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=f"203.0.113.{n}")
        for n in range(25)
    ]
    assert [r.status_code for r in codes] == [302] * 25
    assert CallbackRequest.objects.count() == 25


def test_with_the_cache_unreachable_a_callback_request_is_still_taken(client, unreachable_cache, reception):
    """Issue 10, finding 1: Redis down must not turn the callback form into a 500."""
    from clinic.core import ratelimits

    response = client.post(URL, form_data())

    assert response.status_code == 302
    assert CallbackRequest.objects.count() == 1
    assert ratelimits.fail_open_counts == {"callbacks.ip": 1, "callbacks.phone": 1}
