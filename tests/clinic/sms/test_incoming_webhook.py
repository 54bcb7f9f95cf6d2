"""The incoming-message webhook: only Twilio gets in, and each text is acted on and answered once."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from callbacks.models import CallbackRequest
from clinic.sms.inbound import receive_text
from clinic.sms.models import IncomingText, Message, TextConsent
from tests.clinic.sms.fixtures import PUBLIC_HOST
from tests.threads import run_together

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
STRANGER = "+447700900555"


def nothing_happened():
    return not IncomingText.objects.exists() and not Message.objects.exists() and not CallbackRequest.objects.exists()


def test_a_signed_text_is_stored_and_answered_with_empty_twiml(incoming_texts, awake):
    response = incoming_texts.send("Hello, can someone call me?", sender=STRANGER, sid="SM" + "1" * 32)

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/xml")
    assert response.content.decode().endswith("<Response></Response>")
    text = IncomingText.objects.get()
    assert (text.message_sid, str(text.sender), text.body) == ("SM" + "1" * 32, STRANGER, "Hello, can someone call me?")
    assert text.action and text.received_at


@pytest.mark.parametrize(
    "tamper",
    [
        {"token": "someone-elses-auth-token"},  # forged
        {"sign_url": f"https://{PUBLIC_HOST}/sms/status/abc/"},  # a signature captured for another address
        {"signed": False},  # unsigned
    ],
    ids=["forged", "signed-for-another-url", "unsigned"],
)
def test_a_forged_or_unsigned_text_is_refused_and_changes_nothing(incoming_texts, tamper):
    response = incoming_texts.post(incoming_texts.params("C"), **tamper)

    assert response.status_code == 403
    assert nothing_happened()


def test_a_text_altered_after_signing_is_refused(incoming_texts, client):
    from django.urls import reverse
    from twilio.request_validator import RequestValidator

    from tests.clinic.sms.fixtures import AUTH_TOKEN

    params = incoming_texts.params("Y")
    path = reverse("sms:incoming")
    signature = RequestValidator(AUTH_TOKEN).compute_signature(f"https://{PUBLIC_HOST}{path}", params)
    response = client.post(
        path, {**params, "Body": "C"}, HTTP_X_TWILIO_SIGNATURE=signature, secure=True, HTTP_HOST=PUBLIC_HOST
    )
    assert response.status_code == 403
    assert nothing_happened()


def test_texts_are_refused_when_no_auth_token_is_configured(incoming_texts, settings):
    settings.TWILIO_AUTH_TOKEN = ""
    response = incoming_texts.post(incoming_texts.params("Hello"), token="")
    assert response.status_code == 403
    assert nothing_happened()


def test_the_webhook_accepts_only_post(incoming_texts, client):
    assert client.get("/sms/incoming/", secure=True, HTTP_HOST=PUBLIC_HOST).status_code == 405


def test_twilio_retrying_the_webhook_gets_the_same_answer_and_nothing_twice(incoming_texts, awake, sms_outbox):
    params = incoming_texts.params("Please call me about my shoulder", sender=STRANGER)

    first = incoming_texts.post(params)
    retries = [incoming_texts.post(params) for _ in range(3)]

    assert first.status_code == 200 and all(r.status_code == 200 for r in retries)
    assert IncomingText.objects.count() == 1
    assert CallbackRequest.objects.get().times_asked == 1
    assert len(sms_outbox) == 1  # one "we'll call you", not four


def test_the_same_signed_text_replayed_later_is_refused_and_changes_nothing(
    incoming_texts, awake, sms_outbox, time_machine
):
    params = incoming_texts.params("Please call me", sender=STRANGER)
    assert incoming_texts.post(params).status_code == 200
    time_machine.shift(timedelta(hours=3))

    replayed = incoming_texts.post(params)

    assert replayed.status_code == 403
    assert IncomingText.objects.count() == 1
    assert CallbackRequest.objects.get().times_asked == 1
    assert len(sms_outbox) == 1


def test_a_text_without_a_message_id_is_refused(incoming_texts):
    params = incoming_texts.params("Hello")
    del params["MessageSid"]
    assert incoming_texts.post(params).status_code == 400
    assert nothing_happened()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_retry_arriving_while_the_first_request_is_still_running_does_nothing_twice(awake, sms_outbox):
    def deliver():
        return receive_text(message_sid="SM" + "7" * 32, sender=STRANGER, body="Can you call me back?")

    results, errors = run_together([deliver] * 4)

    assert errors == []
    assert sorted(r.duplicate for r in results) == [False, True, True, True]
    assert IncomingText.objects.count() == 1
    assert CallbackRequest.objects.count() == 1
    assert Message.objects.filter(in_reply_to__isnull=False).count() == 1


def test_stop_is_kept_as_a_consent_record_and_not_answered_because_twilio_answers_it(incoming_texts, awake, sms_outbox):
    incoming_texts.send("Stop", sender=STRANGER)

    text = IncomingText.objects.get()
    assert text.provider_keyword == "STOP"
    assert text.action == "Opted out of reminders and offers"
    consent = TextConsent.objects.get()
    assert (str(consent.phone), consent.opted_out, consent.how, consent.incoming) == (
        STRANGER,
        True,
        'Texted "Stop"',
        text,
    )
    assert TextConsent.objects.opted_out(STRANGER)
    assert sms_outbox == [] and not Message.objects.exists()


@pytest.mark.parametrize("word", ["START", "unstop", "Start."])
def test_start_opts_the_number_back_in_without_a_second_reply(incoming_texts, awake, sms_outbox, word):
    incoming_texts.send("STOP", sender=STRANGER)
    incoming_texts.send(word, sender=STRANGER)

    assert not TextConsent.objects.opted_out(STRANGER)
    assert [c.opted_out for c in TextConsent.objects.order_by("at", "pk")] == [True, False]
    assert sms_outbox == []


@pytest.mark.parametrize("word", ["STOPALL", "unsubscribe", "End", "QUIT", "revoke", "optout", "Stop!"])
def test_the_usual_opt_out_words_opt_out(incoming_texts, awake, word):
    incoming_texts.send(word, sender=STRANGER)
    assert TextConsent.objects.opted_out(STRANGER)


def test_stop_in_a_sentence_is_a_message_for_reception_not_an_opt_out(incoming_texts, awake):
    incoming_texts.send("Please stop the reminders, I have moved away", sender=STRANGER)
    assert not TextConsent.objects.exists()
    assert "Please stop the reminders" in CallbackRequest.objects.get().message


def test_with_advanced_opt_out_twilio_says_which_texts_it_answered(incoming_texts, awake, settings, sms_outbox):
    settings.TWILIO_ADVANCED_OPT_OUT = True

    incoming_texts.send("ARRET", sender=STRANGER, OptOutType="STOP")  # a keyword the clinic added in Twilio

    assert TextConsent.objects.opted_out(STRANGER)
    assert IncomingText.objects.get().provider_keyword == "STOP"
    assert sms_outbox == []


def test_help_goes_to_reception_without_a_second_reply(incoming_texts, awake, sms_outbox):
    incoming_texts.send("HELP", sender=STRANGER)

    assert "Texted HELP" in CallbackRequest.objects.get().message
    assert sms_outbox == []


def test_a_reply_to_a_text_sent_at_night_goes_at_once(incoming_texts, sms_outbox, time_machine):
    time_machine.move_to(datetime(2030, 1, 7, 23, 30, tzinfo=LONDON), tick=False)

    incoming_texts.send("Can someone call me tomorrow?", sender=STRANGER)

    [reply] = sms_outbox
    assert reply.to == STRANGER and reply.kind == "callback_ack"
    assert Message.objects.get().in_reply_to == IncomingText.objects.get()


def test_start_from_a_number_that_never_opted_out_records_nothing(incoming_texts, awake):
    incoming_texts.send("START", sender=STRANGER)
    assert not TextConsent.objects.exists()
