"""Fixtures for the callback tests: valid form data (started long enough ago) and the clinic's
reception contacts."""

import time

import pytest

from callbacks.forms import started_token
from clinic.core.models import ClinicSettings

# Valid UK numbers (phonenumbers rejects Ofcom's 07700 900xxx drama range as invalid).
MOBILE = "07400 123456"
MOBILE_E164 = "+447400123456"
LANDLINE = "0113 496 0000"
RECEPTION_MOBILE = "+447400999000"


def form_data(**overrides) -> dict:
    """A valid callback form submission, as a person would send it a minute after opening the page."""
    data = {
        "name": "Pat Example",
        "phone": MOBILE,
        "when": "asap",
        "preferred_day": "",
        "preferred_period": "",
        "reason": "book",
        "message": "",
        "consent": "on",
        "started": started_token(time.time() - 60),
        "website": "",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


@pytest.fixture
def reception(db):
    """The clinic's reception gets callback notices by SMS and email."""
    clinic = ClinicSettings.load()
    clinic.reception_mobile = RECEPTION_MOBILE
    clinic.reception_email = "reception@clinic.example.test"
    clinic.save()
    return clinic
