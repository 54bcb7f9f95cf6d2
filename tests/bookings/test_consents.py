"""Consent records: the exact wording and its version, when, and for what."""

import hashlib

import pytest
from django.utils import timezone

from bookings.consents import WORDINGS, ConsentRecord, Purpose
from bookings.forms import DetailsForm
from bookings.services import record_consents
from callbacks.forms import CallbackRequestForm

pytestmark = pytest.mark.django_db

# Every wording ever published, by version. Changing a wording's text without giving it a new
# version fails here: a stored consent would otherwise no longer say what the person agreed to.
PUBLISHED = {
    "health-1": "caf38c77c49e",
    "privacy-1": "47d23f7877fe",
    "cancellation-1": "2804e3cda762",
    "callback-1": "764f0b630726",
}


@pytest.mark.parametrize("purpose", Purpose.values)
def test_a_changed_wording_needs_a_new_version(purpose):
    wording = WORDINGS[purpose]
    assert wording.version in PUBLISHED, f"add {wording.version!r} to PUBLISHED (a new wording's version)"
    assert hashlib.sha256(wording.text.encode()).hexdigest()[:12] == PUBLISHED[wording.version], (
        f"{purpose}'s text changed: give it a new version in bookings/consents.py"
    )


def test_the_forms_show_exactly_the_recorded_wording():
    details = DetailsForm()
    assert details.fields["consent_health"].label == WORDINGS[Purpose.HEALTH_ANSWERS].text
    assert details.fields["consent_privacy"].label == WORDINGS[Purpose.PRIVACY_NOTICE].text
    assert details.fields["consent_cancellation"].label == WORDINGS[Purpose.CANCELLATION_POLICY].text
    assert CallbackRequestForm().fields["consent"].label == WORDINGS[Purpose.CALLBACK_CONTACT].text


def test_a_consent_record_keeps_purpose_wording_version_time_and_subject(patient):
    records = record_consents(purposes=[Purpose.PRIVACY_NOTICE, Purpose.PRIVACY_NOTICE], about=patient, patient=patient)

    assert len(records) == 1  # the same tick twice is one consent
    record = ConsentRecord.objects.about(patient).get()
    assert record.purpose == Purpose.PRIVACY_NOTICE
    assert (record.wording, record.wording_version) == (WORDINGS[Purpose.PRIVACY_NOTICE].text, "privacy-1")
    assert record.patient == patient and record.about == patient
    assert abs((timezone.now() - record.given_at).total_seconds()) < 60


def test_each_consent_record_stores_the_privacy_notice_version_in_force(patient, settings):
    from clinic.core.privacy_notice import current_version

    first = record_consents(purposes=[Purpose.PRIVACY_NOTICE], about=patient, patient=patient)[0]
    settings.SMS_BODY_RETENTION_DAYS += 1  # the notice now says something else: a new version
    second = record_consents(purposes=[Purpose.CANCELLATION_POLICY], about=patient, patient=patient)[0]

    assert second.privacy_notice_version == current_version() != first.privacy_notice_version
    assert len(first.privacy_notice_version) == 12
