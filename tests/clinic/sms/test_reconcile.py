"""Texts of unknown fate are settled against Twilio's message log (issue 17, finding 4): found,
they are recorded as sent; not found, they are sent again, once; never twice."""

from datetime import timedelta

import pytest
from django.utils import timezone

from clinic.sms.models import Message
from clinic.sms.reconcile import reconcile_unknown_messages
from clinic.sms.services import queue_sms, relay_due_messages

pytestmark = pytest.mark.django_db

PAT = "+447700900123"


@pytest.fixture
def reconcile_now(settings):
    settings.SMS_RECONCILE_AFTER_SECONDS = 0
    settings.TWILIO_READ_TIMEOUT = 0.3


def write_text(body_name="Pat") -> Message:
    return queue_sms(
        kind="callback_ack", to=PAT, context={"name": body_name, "promise": "today", "preferred_time": "today"}
    )


def worker_died_mid_send(message: Message) -> Message:
    """As a worker killed between claiming the row and calling Twilio leaves it: the relay, once
    the claim's lease has run out, marks it unknown."""
    claimed_at = timezone.now() - timedelta(minutes=5)
    Message.objects.filter(pk=message.pk).update(
        status=Message.Status.SENDING,
        attempts=1,
        attempted_at=claimed_at,
        lease_until=claimed_at + timedelta(minutes=2),
    )
    relay_due_messages()
    message.refresh_from_db()
    assert message.status == Message.Status.UNKNOWN
    return message


def test_a_text_twilio_did_get_is_recorded_as_sent_and_not_sent_again(
    awake, twilio, reconcile_now, django_capture_on_commit_callbacks
):
    twilio.reply_with("hang")  # Twilio takes it, but the answer never arrives in time
    with django_capture_on_commit_callbacks(execute=True):
        message = write_text()
    message.refresh_from_db()
    assert message.status == Message.Status.UNKNOWN

    with django_capture_on_commit_callbacks(execute=True):
        summary = reconcile_unknown_messages()

    message.refresh_from_db()
    assert (summary.found, summary.resent) == (1, 0)
    assert message.status == Message.Status.SENT
    assert message.provider_id == twilio.log.messages[0]["sid"]
    assert message.reconciled_at is not None
    assert "Twilio's message log shows it was received" in message.error_message
    assert not Message.objects.needs_attention().exists()
    assert len(twilio.requests) == 1


def test_a_text_twilio_never_got_is_sent_again_once(awake, twilio, reconcile_now, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        other = write_text("Sam")  # the same number, another text: must not be mistaken for it
    message = worker_died_mid_send(write_text())
    assert len(twilio.requests) == 1

    with django_capture_on_commit_callbacks(execute=True):
        summary = reconcile_unknown_messages()

    message.refresh_from_db()
    assert (summary.found, summary.resent) == (0, 1)
    assert message.status == Message.Status.SENT and message.attempts == 2
    assert "sent again" in message.error_message
    assert [form["Body"] for form in twilio.forms] == [other.body, message.body]

    with django_capture_on_commit_callbacks(execute=True):
        again = reconcile_unknown_messages()
    assert (again.found, again.resent) == (0, 0)
    assert len(twilio.requests) == 2


def test_a_text_sent_again_whose_fate_is_unknown_again_is_left_to_reception(
    awake, twilio, reconcile_now, django_capture_on_commit_callbacks
):
    message = worker_died_mid_send(write_text())
    twilio.reply_with("hang")
    with django_capture_on_commit_callbacks(execute=True):
        reconcile_unknown_messages()
    message.refresh_from_db()
    assert message.status == Message.Status.UNKNOWN  # the second attempt timed out too

    Message.objects.filter(pk=message.pk).update(attempted_at=timezone.now() - timedelta(hours=1))
    with django_capture_on_commit_callbacks(execute=True):
        summary = reconcile_unknown_messages()

    assert (summary.found, summary.resent) == (0, 0)
    assert Message.objects.needs_attention().get() == message
    assert len(twilio.requests) == 1  # only the resend reached Twilio (it hung), never a third


def test_a_recent_unknown_text_waits_for_the_log_to_be_worth_asking(awake, twilio, settings):
    settings.SMS_RECONCILE_AFTER_SECONDS = 600
    worker_died_mid_send(write_text())  # attempted five minutes ago
    assert reconcile_unknown_messages().resent == 0
    assert Message.objects.get().status == Message.Status.UNKNOWN


def test_without_a_provider_log_unknown_texts_are_left_for_reception(awake, settings, sms_outbox, reconcile_now):
    message = worker_died_mid_send(write_text())  # the in-memory backend keeps no log
    summary = reconcile_unknown_messages()
    assert summary.left == 1
    message.refresh_from_db()
    assert message.status == Message.Status.UNKNOWN and message.lease_until is None
    assert sms_outbox == []


def test_beat_runs_the_reconciliation_every_minute(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["sms-reconcile"]
    assert entry["task"] == "clinic.sms.tasks.reconcile_unknown_messages"
    assert entry["schedule"] == 60.0


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_reconcilers_at_once_send_each_lost_text_again_exactly_once(twilio, reconcile_now, no_quiet_hours):
    from tests import threads

    for n in range(10):
        message = Message.objects.create(kind="callback_ack", to=f"+4477009002{n:02d}", body=f"Text {n}")
        worker_died_mid_send(message)

    results, errors = threads.run_together([reconcile_unknown_messages, reconcile_unknown_messages])

    assert errors == []
    assert sum(r.resent for r in results) == 10
    assert sorted(f["Body"] for f in twilio.forms) == sorted(f"Text {n}" for n in range(10))
    assert set(Message.objects.values_list("status", flat=True)) == {Message.Status.SENT}
