"""The rate-limit mechanism every public form uses: a polite 429 with Retry-After, and a cache
outage that lets requests through instead of failing them."""

import logging
import re

import pytest
from django.http import HttpResponse
from django.test import RequestFactory

from clinic.core import ratelimits
from clinic.core.ip import ratelimit_ip_key
from clinic.core.ratelimits import hit_limit, rate_limit

pytestmark = pytest.mark.django_db


@rate_limit(group="tests.limited", key=ratelimit_ip_key, rate="2/h")
def limited_view(request):
    return HttpResponse("done")


def _post(remote="192.0.2.1"):
    request = RequestFactory().post("/anything/", REMOTE_ADDR=remote)
    request.session = {}
    return request


def test_over_the_limit_the_patient_gets_a_polite_429_with_retry_after(db):
    assert [limited_view(_post()).status_code for _ in range(2)] == [200, 200]

    refused = limited_view(_post())

    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 3600
    page = refused.content.decode()
    assert "Please try again a little later" in page
    assert "01632 960000" in page  # the clinic's phone, from the site's layout
    assert re.search(r"<title>[^<]*</title>", page)


def test_the_limit_is_per_client(db):
    for _ in range(3):
        limited_view(_post())
    assert limited_view(_post(remote="192.0.2.2")).status_code == 200


def test_only_the_counted_method_uses_up_the_limit(db):
    request = RequestFactory().get("/anything/")
    for _ in range(5):
        assert hit_limit(request, group="tests.get", key=ratelimit_ip_key, rate="1/h") is None


def test_with_the_cache_unreachable_requests_go_through_and_the_lapse_is_logged_and_counted(unreachable_cache, caplog):
    with caplog.at_level(logging.WARNING, logger="clinic.core.ratelimits"):
        codes = [limited_view(_post()).status_code for _ in range(4)]

    assert codes == [200, 200, 200, 200]
    assert ratelimits.fail_open_counts == {"tests.limited": 4}
    assert len(caplog.records) == 4
    assert "cache is unreachable" in caplog.records[0].getMessage()
