"""Staff sign in with their own accounts; repeated failures pause signing in (django-axes) until
the cool-off has passed, without anyone having to unlock the account by hand."""

from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from tests.bookings.diary_support import ensure_roles_exist

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _roles(db):
    """Before the cast's `receptionist` joins the Reception group."""
    ensure_roles_exist()


LOGIN = reverse("admin:login")


def sign_in(client, password):
    # A real POST to the login form: axes needs the request (client.login() cannot be used).
    return client.post(LOGIN, {"username": "reception", "password": password, "next": "/admin/"})


def test_a_receptionist_signs_in_with_their_own_account(client, receptionist):
    response = sign_in(client, "reception-pass-123")
    assert response.status_code == 302
    assert client.get(reverse("admin:index")).status_code == 200


def test_signing_in_is_paused_after_repeated_failures_and_resumes_after_the_cool_off(client, receptionist):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        for _ in range(settings.AXES_FAILURE_LIMIT - 1):
            assert sign_in(client, "wrong-password").status_code == 200
        assert sign_in(client, "wrong-password").status_code == 429  # the last allowed failure

        locked = sign_in(client, "reception-pass-123")

        assert locked.status_code == 429
        page = locked.content.decode()
        assert "Signing in is paused" in page and "Try again in 15 minutes" in page
        assert client.get(reverse("admin:index")).status_code == 302  # still not signed in

    with time_machine.travel(start + timedelta(minutes=16), tick=False):
        assert sign_in(client, "reception-pass-123").status_code == 302
        assert client.get(reverse("admin:index")).status_code == 200


def test_trying_again_during_the_cool_off_starts_it_again(client, receptionist):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        for _ in range(settings.AXES_FAILURE_LIMIT):
            sign_in(client, "wrong-password")
    with time_machine.travel(start + timedelta(minutes=10), tick=False):
        assert sign_in(client, "reception-pass-123").status_code == 429
    # 16 minutes after the lockout, but only 6 after the last attempt.
    with time_machine.travel(start + timedelta(minutes=16), tick=False):
        assert sign_in(client, "reception-pass-123").status_code == 429
    with time_machine.travel(start + timedelta(minutes=16 + 16), tick=False):
        assert sign_in(client, "reception-pass-123").status_code == 302


def test_a_lockout_is_for_that_account_only(client, receptionist, manager):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, "wrong-password")
    response = client.post(LOGIN, {"username": "manager", "password": "manager-pass-123", "next": "/admin/"})
    assert response.status_code == 302


# --- behind a proxy (issue 10, finding 2) --------------------------------------------------------

PROXY = "10.0.0.2"
ATTACKER, RECEPTIONIST_AT_HOME = "203.0.113.66", "198.51.100.20"


def sign_in_through_proxy(client, password, *, forwarded, remote=PROXY):
    return client.post(
        LOGIN,
        {"username": "reception", "password": password, "next": "/admin/"},
        REMOTE_ADDR=remote,
        HTTP_X_FORWARDED_FOR=forwarded,
    )


def test_behind_a_proxy_failures_lock_out_the_client_that_made_them_not_everyone(client, receptionist, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in_through_proxy(client, "wrong-password", forwarded=ATTACKER)

    assert sign_in_through_proxy(client, "reception-pass-123", forwarded=ATTACKER).status_code == 429
    # Forging an extra X-Forwarded-For entry does not give the attacker a fresh address.
    forged = sign_in_through_proxy(client, "reception-pass-123", forwarded=f"{RECEPTIONIST_AT_HOME}, {ATTACKER}")
    assert forged.status_code == 429
    # The real receptionist, through the same proxy, signs in.
    assert sign_in_through_proxy(client, "reception-pass-123", forwarded=RECEPTIONIST_AT_HOME).status_code == 302


def test_a_direct_client_forging_x_forwarded_for_is_still_locked_out_by_its_own_address(client, receptionist, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    for n in range(settings.AXES_FAILURE_LIMIT):
        sign_in_through_proxy(client, "wrong-password", forwarded=f"192.0.2.{n}", remote=ATTACKER)

    response = sign_in_through_proxy(client, "reception-pass-123", forwarded="192.0.2.200", remote=ATTACKER)

    assert response.status_code == 429
