"""The callback texts are plain GSM-7, at most two segments, and signed with the clinic's name."""

from datetime import timedelta

import pytest
from django.utils import timezone

from callbacks.models import CallbackRequest, SmsKind
from callbacks.services import request_callback
from clinic.core.models import ClinicSettings
from clinic.sms import gsm
from clinic.sms.models import Message

pytestmark = pytest.mark.django_db

LONG_NAME = "Zoë Bartholomew-Fitzwilliam O’Shaughnessy de la Cruz Montgomery-Smythe the Third of Somewhere"


def test_both_texts_fit_in_two_gsm_segments_even_for_a_long_name_and_message(reception):
    reception.name = "A Rather Long Clinic Name for Physiotherapy & Sports Massage Ltd"
    reception.save()
    day = timezone.localdate() + timedelta(days=6)
    req = request_callback(
        name=LONG_NAME,
        phone="+447400123456",
        reason=CallbackRequest.Reason.EXISTING_APPOINTMENT,
        when="day",
        preferred_day=day,
        preferred_period="afternoon",
        message="x" * 500,
        clinical_review=True,
    ).request

    for text in Message.objects.about(req).filter():
        assert gsm.is_gsm7(text.body), text.body
        assert gsm.segments(text.body) <= 2, text.body
        assert "\u2019" not in text.body
        assert text.body.endswith(reception.name)


def test_the_acknowledgement_uses_the_first_name_and_the_clinic_phone(reception):
    req = request_callback(name="  Pat   Example ", phone="+447400123456", reason="book").request

    ack = Message.objects.about(req).get(kind=SmsKind.CALLBACK_ACK)
    assert ack.body.startswith("Thanks, Pat, we'll call you ")
    assert ClinicSettings.load().phone.as_national in ack.body
