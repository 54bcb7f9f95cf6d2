"""The privacy notice is written from the real settings: controller, what is kept and why, lawful
bases, processors and the SMS transfer, every retention period as configured, all the rights and
the ICO; its version changes whenever what it says changes."""

import pytest
from django.urls import reverse

from clinic.core.models import ClinicSettings
from clinic.core.privacy_notice import current_version

pytestmark = pytest.mark.django_db


def _page(client) -> str:
    return client.get(reverse("bookings:privacy")).content.decode()


def test_it_names_the_controller_from_the_clinic_settings(client):
    clinic = ClinicSettings.load()
    clinic.name, clinic.address = "Northfield Sports Therapy", "12 Mill Lane\nNorthfield\nNF1 2AB"
    clinic.privacy_contact, clinic.ico_registration = "privacy@northfield.example", "ZA123456"
    clinic.save()

    page = _page(client)

    assert "Northfield Sports Therapy is the controller" in page
    assert "12 Mill Lane<br>Northfield<br>NF1 2AB" in page
    assert "privacy@northfield.example" in page and "ZA123456" in page and "01632 960000" in page


def test_it_says_what_is_kept_why_and_on_what_basis(client):
    page = _page(client)
    for words in ("Appointments", "Callback requests", "Text messages", "Your details", "Admin log"):
        assert f">{words}</h3>" in page
    assert "Contract:" in page and "Legitimate interests" in page
    assert "9(2)(h)" in page and "explicit consent" in page


def test_it_states_every_retention_period_as_configured(client, settings):
    settings.SMS_BODY_RETENTION_DAYS, settings.PATIENT_RETENTION_YEARS, settings.CALLBACK_RETENTION_DAYS = 45, 10, 90
    page = _page(client)
    assert "removed 45 days after it is sent" in page
    assert "kept for 10 years after your last appointment" in page
    assert "deleted 90 days after we close them" in page


def test_it_names_the_processors_and_the_transfer_of_sms_data(client, settings):
    clinic = ClinicSettings.load()
    clinic.hosting_provider, clinic.email_provider = "Hetzner Online GmbH (Germany)", "Postmark (USA)"
    clinic.save()
    settings.SMS_BACKEND = "clinic.sms.backends.twilio.TwilioBackend"

    page = _page(client)

    assert "Twilio" in page and "transferred to the USA" in page and "International Data Transfer Addendum" in page
    assert "Hetzner Online GmbH (Germany)" in page and "Postmark (USA)" in page


def test_it_lists_every_right_and_the_ico(client):
    page = _page(client)
    for right in ("see", "take it elsewhere", "corrected", "erased", "restrict", "object", "withdraw your consent"):
        assert f"<strong>{right}</strong>" in page
    assert "ask our reception" in page and "Information\nCommissioner" in page and "0303 123 1113" in page


def test_its_version_changes_with_what_it_says(client, settings):
    version = current_version()
    assert f"Version {version}" in _page(client)
    assert current_version() == version  # stable while nothing changes

    settings.SMS_BODY_RETENTION_DAYS = 31
    assert current_version() != version


def test_its_version_changes_when_the_manager_edits_the_clinics_details(client):
    """Each process keeps its rendering under the clinic settings' version, which an edit moves."""
    version = current_version()
    clinic = ClinicSettings.load()
    clinic.name = "Another Clinic Name"
    clinic.save()
    assert current_version() != version
    assert "Another Clinic Name" in _page(client)
