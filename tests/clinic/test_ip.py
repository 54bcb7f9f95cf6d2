"""The one client-IP rule: X-Forwarded-For counts only behind trusted proxies, and only when the
request really came from one of them."""

import pytest
from django.test import RequestFactory

from clinic.core.ip import client_ip, client_ip_from_meta, ratelimit_ip_key

PROXY = "10.0.0.2"


def _request(remote=PROXY, forwarded=None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


def test_with_no_trusted_proxy_the_header_is_ignored(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_ip(_request(forwarded="203.0.113.9")) == PROXY


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (1, "203.0.113.9", "203.0.113.9"),
        (1, "6.6.6.6, 203.0.113.9", "203.0.113.9"),  # the client forged the left entry
        (2, "6.6.6.6, 203.0.113.9, 10.0.0.3", "203.0.113.9"),
        (2, "203.0.113.9", PROXY),  # shorter than the proxy chain: not through our proxies
        (1, "not-an-address", PROXY),
        (1, "", PROXY),
    ],
)
def test_behind_n_trusted_proxies_the_nth_address_from_the_right_is_used(settings, proxies, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = proxies
    assert client_ip(_request(forwarded=forwarded)) == expected


def test_a_client_that_reaches_the_app_directly_cannot_choose_its_address_with_the_header(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_ip(_request(remote="198.51.100.7", forwarded="203.0.113.9")) == "198.51.100.7"


def test_the_trusted_proxy_addresses_can_be_configured(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.TRUSTED_PROXY_IPS = ["198.51.100.0/28"]
    assert client_ip(_request(remote="198.51.100.7", forwarded="203.0.113.9")) == "203.0.113.9"
    assert client_ip(_request(remote=PROXY, forwarded="203.0.113.9")) == PROXY


def test_the_wsgi_environ_gives_the_same_answer_as_the_request(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    environ = {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": "6.6.6.6, 203.0.113.9"}
    assert client_ip_from_meta(environ) == "203.0.113.9"


def test_ipv6_clients_are_counted_per_64_network(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    a = ratelimit_ip_key("g", _request(remote="2001:db8:1:2::1"))
    b = ratelimit_ip_key("g", _request(remote="2001:db8:1:2:ffff::9"))
    assert a == b == "2001:db8:1:2::"
