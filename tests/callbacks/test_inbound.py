"""Anything a patient texts that the system cannot act on reaches reception's callback queue."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from callbacks.forms import CallbackRequestForm
from callbacks.models import CallbackRequest
from callbacks.services import request_callback
from clinic.core.models import ClinicSettings
from clinic.sms import inbound
from clinic.sms.models import IncomingText

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")


@pytest.fixture
def tuesday_morning(time_machine):
    time_machine.move_to(datetime(2030, 1, 8, 10, 0, tzinfo=LONDON), tick=False)


def test_an_unknown_text_lands_in_the_queue_with_the_text_and_a_short_reply(
    incoming_texts, tuesday_morning, patient, sms_outbox
):
    settings = ClinicSettings.load()
    settings.reception_mobile = "+447700900999"
    settings.save()

    incoming_texts.send("My back is a bit better, do I still need Thursday?")

    request = CallbackRequest.objects.get()
    assert request.reason == CallbackRequest.Reason.TEXT
    assert request.get_reason_display() == "Text from patient"
    assert (request.name, str(request.phone), request.status) == ("Pat Example", "+447700900123", "new")
    assert request.message == 'Text on Tue 8 Jan at 10:00: "My back is a bit better, do I still need Thursday?"'
    assert IncomingText.objects.get().about == request
    to_patient = [sms for sms in sms_outbox if sms.to == "+447700900123"]
    assert [sms.kind for sms in to_patient] == ["callback_ack"]
    assert to_patient[0].body.startswith("Thanks, Pat, we'll call you as soon as we can")
    assert [sms.kind for sms in sms_outbox if sms.to == "+447700900999"] == ["callback_notice"]


def test_a_text_from_an_unknown_number_is_kept_under_its_number(incoming_texts, tuesday_morning, sms_outbox):
    incoming_texts.send("Do you have anything on Saturday?", sender="+447700900777")

    request = CallbackRequest.objects.get()
    assert (request.name, str(request.phone)) == ("Unknown (sent a text)", "+447700900777")
    assert sms_outbox[0].body.startswith("Thanks, there, we'll call you")


def test_more_texts_join_the_open_request_without_another_reply(incoming_texts, tuesday_morning, patient, sms_outbox):
    incoming_texts.send("Can you call me?")
    incoming_texts.send("It's about my appointment")
    incoming_texts.send("Out of office: I am away until Monday")  # an auto-responder answering our reply

    request = CallbackRequest.objects.get()
    assert request.times_asked == 3
    assert "It's about my appointment" in request.message and "Out of office" in request.message
    assert len(sms_outbox) == 1


def test_a_text_keeps_the_details_of_a_request_already_open(incoming_texts, tuesday_morning, patient, sms_outbox):
    request_callback(
        name="Pat Example",
        phone=patient.phone,
        reason=CallbackRequest.Reason.BOOK,
        when=CallbackRequest.When.DAY,
        preferred_day=date(2030, 1, 9),
        preferred_period=CallbackRequest.Period.MORNING,
        message="I'd like a 60-minute session",
    )

    incoming_texts.send("Any time after 10 is fine")

    request = CallbackRequest.objects.get()
    assert (request.reason, request.when, request.preferred_period) == ("book", "day", "morning")
    assert request.message.startswith("I'd like a 60-minute session\n\nText on Tue 8 Jan")
    assert IncomingText.objects.get().action == "Added to an open callback request"


def test_a_text_a_handler_fails_on_still_reaches_reception(incoming_texts, tuesday_morning, monkeypatch, sms_outbox):
    def broken(text, words):
        raise RuntimeError("bug")

    monkeypatch.setattr(inbound, "_handlers", [(0, broken)])

    incoming_texts.send("Y", sender="+447700900777")

    assert "could not act on this text" in CallbackRequest.objects.get().message
    assert IncomingText.objects.get().action.startswith("Could not be handled automatically")
    assert [sms.kind for sms in sms_outbox] == ["callback_ack"]


def test_patients_cannot_choose_text_from_patient_on_the_callback_form():
    assert CallbackRequest.Reason.TEXT not in dict(CallbackRequestForm().fields["reason"].choices)
