import pytest
from django.urls import reverse
from twilio.request_validator import RequestValidator

from clinic.sms.models import Message
from tests.clinic.sms.fixtures import AUTH_TOKEN

pytestmark = pytest.mark.django_db

PUBLIC_HOST = "clinic.example.test"


@pytest.fixture
def webhook(settings):
    settings.TWILIO_AUTH_TOKEN = AUTH_TOKEN
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, PUBLIC_HOST]


@pytest.fixture
def sent_message(db):
    return Message.objects.create(
        kind="reminder", to="+447700900123", body="Hello", status=Message.Status.SENT, provider_id="SM1"
    )


def report(message, status, **extra):
    return {"MessageSid": message.provider_id or "SMx", "MessageStatus": status, "AccountSid": "AC1", **extra}


def post_signed(client, path, params, *, sign_url=None, token=AUTH_TOKEN, **headers):
    """POST as Twilio does: to the public https address, signed over that exact URL."""
    url = sign_url or f"https://{PUBLIC_HOST}{path}"
    signature = RequestValidator(token).compute_signature(url, params)
    return client.post(path, params, HTTP_X_TWILIO_SIGNATURE=signature, **headers)


def path_for(message):
    return reverse("sms:status", args=[message.callback_token])


def test_a_signed_delivery_report_marks_the_message_delivered(client, webhook, sent_message):
    response = post_signed(
        client, path_for(sent_message), report(sent_message, "delivered"), secure=True, HTTP_HOST=PUBLIC_HOST
    )
    assert response.status_code == 200
    sent_message.refresh_from_db()
    assert sent_message.status == Message.Status.DELIVERED


def test_the_signature_is_checked_against_the_https_address_behind_a_tls_proxy(client, webhook, settings, sent_message):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.USE_X_FORWARDED_HOST = True
    response = post_signed(
        client,
        path_for(sent_message),
        report(sent_message, "delivered"),
        HTTP_X_FORWARDED_PROTO="https",
        HTTP_X_FORWARDED_HOST=PUBLIC_HOST,
    )
    assert response.status_code == 200
    sent_message.refresh_from_db()
    assert sent_message.status == Message.Status.DELIVERED


@pytest.mark.parametrize(
    "tamper",
    [
        {"token": "someone-elses-token"},  # forged
        {"sign_url": "https://evil.example/sms/status/x/"},  # signed for another address
    ],
)
def test_a_forged_signature_is_refused_and_changes_nothing(client, webhook, sent_message, tamper):
    response = post_signed(
        client, path_for(sent_message), report(sent_message, "failed"), secure=True, HTTP_HOST=PUBLIC_HOST, **tamper
    )
    assert response.status_code == 403
    sent_message.refresh_from_db()
    assert sent_message.status == Message.Status.SENT


def test_a_report_altered_after_signing_is_refused(client, webhook, sent_message):
    path = path_for(sent_message)
    signature = RequestValidator(AUTH_TOKEN).compute_signature(
        f"https://{PUBLIC_HOST}{path}", report(sent_message, "delivered")
    )
    response = client.post(
        path, report(sent_message, "failed"), HTTP_X_TWILIO_SIGNATURE=signature, secure=True, HTTP_HOST=PUBLIC_HOST
    )
    assert response.status_code == 403
    sent_message.refresh_from_db()
    assert sent_message.status == Message.Status.SENT


def test_a_missing_signature_is_refused(client, webhook, sent_message):
    response = client.post(path_for(sent_message), report(sent_message, "failed"), secure=True, HTTP_HOST=PUBLIC_HOST)
    assert response.status_code == 403
    sent_message.refresh_from_db()
    assert sent_message.status == Message.Status.SENT


def test_reports_are_refused_when_no_auth_token_is_configured(client, settings, sent_message):
    settings.TWILIO_AUTH_TOKEN = ""
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, PUBLIC_HOST]
    response = post_signed(
        client, path_for(sent_message), report(sent_message, "failed"), token="", secure=True, HTTP_HOST=PUBLIC_HOST
    )
    assert response.status_code == 403


def test_an_unknown_message_id_is_answered_200_so_twilio_stops_retrying(client, webhook):
    path = reverse("sms:status", args=["no-such-token"])
    response = post_signed(
        client, path, {"MessageSid": "SM9", "MessageStatus": "delivered"}, secure=True, HTTP_HOST=PUBLIC_HOST
    )
    assert response.status_code == 200


def test_an_out_of_order_sent_after_delivered_does_not_move_the_status_back(client, webhook, sent_message):
    path = path_for(sent_message)
    for status in ("delivered", "sent", "queued"):
        response = post_signed(client, path, report(sent_message, status), secure=True, HTTP_HOST=PUBLIC_HOST)
        assert response.status_code == 200
    sent_message.refresh_from_db()
    assert sent_message.status == Message.Status.DELIVERED


def test_an_undelivered_report_records_the_reason_and_needs_attention(client, webhook, sent_message):
    response = post_signed(
        client,
        path_for(sent_message),
        report(sent_message, "undelivered", ErrorCode="30003"),
        secure=True,
        HTTP_HOST=PUBLIC_HOST,
    )
    assert response.status_code == 200
    sent_message.refresh_from_db()
    assert sent_message.status == Message.Status.UNDELIVERED
    assert sent_message.error_code == "30003"
    assert sent_message.error_message == "The phone was switched off or out of signal."
    assert list(Message.objects.needs_attention()) == [sent_message]


def test_a_report_for_a_message_marked_unknown_tells_us_it_did_go(client, webhook, sent_message):
    Message.objects.filter(pk=sent_message.pk).update(status=Message.Status.UNKNOWN, provider_id="")
    response = post_signed(
        client,
        path_for(sent_message),
        {"MessageSid": "SM" + "7" * 32, "MessageStatus": "sent"},
        secure=True,
        HTTP_HOST=PUBLIC_HOST,
    )
    assert response.status_code == 200
    sent_message.refresh_from_db()
    assert sent_message.status == Message.Status.SENT
    assert sent_message.provider_id == "SM" + "7" * 32


def test_the_webhook_accepts_only_post(client, webhook, sent_message):
    assert client.get(path_for(sent_message), secure=True, HTTP_HOST=PUBLIC_HOST).status_code == 405
