"""Two-factor sign-in for staff (django-otp, TOTP): required for managers and anyone who can see
clinical notes, optional for reception; admin sessions end after 30 idle minutes or 10 hours."""

import subprocess
import sys
from datetime import timedelta

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from clinic.core.roles import MANAGER, RECEPTION, THERAPIST
from tests.bookings.diary_support import staff
from tests.clinic.test_settings_prod import PRODUCTION_LIKE, ROOT
from tests.otp import current_code, device_for

pytestmark = pytest.mark.django_db

LOGIN, INDEX, SETUP = reverse("admin:login"), reverse("admin:index"), reverse("admin:two_factor_setup")


def sign_in(client, user, code=None):
    data = {"username": user.username, "password": f"{user.username}-pass-123", "next": INDEX}
    if code is not None:
        data["otp_token"] = code
    return client.post(LOGIN, data)


@pytest.fixture
def boss(db):
    return staff("boss", MANAGER)


def test_a_manager_without_a_device_cannot_reach_admin_pages(client, boss):
    sign_in(client, boss)

    for url in (INDEX, reverse("admin:bookings_patient_changelist"), reverse("admin:bookings_diary")):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(LOGIN)
    # The login page sends them on to set up an app.
    response = client.get(f"{LOGIN}?next={INDEX}")
    assert response.status_code == 302 and response["Location"].startswith(SETUP)


def test_a_manager_with_a_valid_code_gets_in(client, boss):
    """Through the real login form, with the code the app shows now."""
    device = device_for(boss)

    response = sign_in(client, boss, current_code(device))

    assert response.status_code == 302 and response["Location"] == INDEX
    assert client.get(INDEX).status_code == 200
    assert client.get(reverse("admin:bookings_patient_changelist")).status_code == 200


def test_a_wrong_code_or_a_missing_one_is_refused(client, boss):
    device = device_for(boss)
    right = current_code(device)
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"

    page = sign_in(client, boss, wrong).content.decode()
    assert "Invalid token" in page or "Please enter" in page
    assert client.get(INDEX).status_code == 302
    device.refresh_from_db()
    device.throttle_reset()  # django-otp pauses the device after a wrong code
    assert "Please enter your" in sign_in(client, boss, "").content.decode()
    assert client.get(INDEX).status_code == 302


def test_a_code_cannot_be_used_twice(client, boss):
    device = device_for(boss)
    code = current_code(device)
    assert sign_in(client, boss, code).status_code == 302
    client.logout()
    assert sign_in(client, boss, code).status_code == 200  # the form again
    assert client.get(INDEX).status_code == 302


def test_a_manager_sets_up_an_app_and_is_signed_in_with_it(client, boss):
    sign_in(client, boss)
    page = client.get(SETUP).content.decode()
    assert "Scan this code" in page and "data:image/svg+xml;base64," in page
    device = TOTPDevice.objects.get(user=boss, confirmed=False)

    assert client.post(SETUP, {"token": "000000" if current_code(device) != "000000" else "111111"}).status_code == 200
    device.throttle_reset()
    response = client.post(SETUP, {"token": current_code(device), "next": reverse("admin:bookings_diary")})

    assert response.status_code == 302 and response["Location"] == reverse("admin:bookings_diary")
    assert TOTPDevice.objects.get(user=boss).confirmed
    assert client.get(INDEX).status_code == 200


def test_a_therapist_needs_two_factors_too(client):
    therapist = staff("thea", THERAPIST)
    sign_in(client, therapist)
    assert client.get(INDEX).status_code == 302
    assert sign_in(client, therapist, current_code(device_for(therapist))).status_code == 302
    assert client.get(INDEX).status_code == 200


def test_reception_may_sign_in_with_a_password_alone(client):
    desk = staff("desk", RECEPTION)
    assert sign_in(client, desk).status_code == 302
    assert client.get(INDEX).status_code == 200


def test_reception_with_an_app_set_up_must_give_its_code(client):
    desk = staff("desk", RECEPTION)
    device = device_for(desk)
    assert sign_in(client, desk).status_code == 200
    assert sign_in(client, desk, current_code(device)).status_code == 302
    assert client.get(INDEX).status_code == 200


def test_force_login_without_the_second_factor_is_not_enough_for_a_manager(client, boss):
    client.force_login(boss, verified=False)
    assert client.get(INDEX).status_code == 302
    client.force_login(boss)  # the tests' usual: as if the code had been given
    assert client.get(INDEX).status_code == 200


# --- sessions that end --------------------------------------------------------------------------


def test_an_idle_admin_session_is_signed_out_after_30_minutes(client, boss):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        client.force_login(boss)
        assert client.get(INDEX).status_code == 200
    with time_machine.travel(start + timedelta(minutes=29), tick=False):
        assert client.get(INDEX).status_code == 200  # activity keeps it going
    with time_machine.travel(start + timedelta(minutes=29 + 31), tick=False):
        response = client.get(INDEX)
        assert response.status_code == 302 and response["Location"].startswith(LOGIN)
        page = client.get(response["Location"]).content.decode()
        assert "signed out after 30 minutes without activity" in page
        assert client.get(INDEX).status_code == 302  # really signed out, not just redirected once


def test_an_admin_session_ends_after_10_hours_however_busy(client, boss):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        client.force_login(boss)
        client.get(INDEX)
    for minutes in range(25, 10 * 60, 25):
        with time_machine.travel(start + timedelta(minutes=minutes), tick=False):
            assert client.get(INDEX).status_code == 200
    with time_machine.travel(start + timedelta(hours=10, minutes=5), tick=False):
        assert client.get(INDEX).status_code == 302


# --- the demo -------------------------------------------------------------------------------------


def test_the_demo_logins_sign_in_with_the_code_the_dev_settings_print(client, settings, capsys):
    settings.DEMO_TWO_FACTOR_CODES = True  # as clinic.settings.dev has it
    call_command("load_demo_clinic", verbosity=0)
    capsys.readouterr()
    call_command("demo_code", "manager")
    code = capsys.readouterr().out.strip()

    response = client.post(
        LOGIN, {"username": "manager", "password": "demo-manager-2026", "otp_token": code, "next": INDEX}
    )

    assert response.status_code == 302 and client.get(INDEX).status_code == 200
    device = TOTPDevice.objects.get(user__username="manager")
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    assert device.config_url.startswith("otpauth://totp/") and totp.token() is not None


def test_demo_codes_are_refused_with_the_test_settings():
    with pytest.raises(CommandError, match="development settings"):
        call_command("demo_code", "manager")


def test_demo_codes_are_refused_with_the_production_settings():
    result = subprocess.run(
        [sys.executable, "manage.py", "demo_code", "manager"],
        cwd=ROOT,
        env={**PRODUCTION_LIKE, "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0 and "development settings" in result.stderr


def test_only_the_dev_settings_allow_demo_codes():
    from clinic.settings import base, dev, test  # prod needs its environment: the test above

    assert (base.DEMO_TWO_FACTOR_CODES, test.DEMO_TWO_FACTOR_CODES, dev.DEMO_TWO_FACTOR_CODES) == (False, False, True)
