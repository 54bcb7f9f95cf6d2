from twilio.request_validator import RequestValidator

from clinic.sms.fake_twilio import signature


def test_the_stacks_fake_twilio_signs_callbacks_as_twilio_does():
    url = "http://127.0.0.1:8000/sms/status/abc/"
    params = {"MessageSid": "SM1", "MessageStatus": "delivered", "AccountSid": "AC1"}
    assert RequestValidator("token").validate(url, params, signature("token", url, params))
    assert not RequestValidator("other").validate(url, params, signature("token", url, params))
