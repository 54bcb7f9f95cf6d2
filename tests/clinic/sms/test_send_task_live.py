"""The send task on a real worker and the real Redis broker: Celery retries with backoff."""

import pytest
from django.db import transaction

from clinic.sms.models import Message
from clinic.sms.services import queue_sms, relay_due_messages
from tests.clinic.sms.fixtures import wait_until

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres, pytest.mark.redis, pytest.mark.slow]


def write_ack():
    with transaction.atomic():
        return queue_sms(
            kind="callback_ack",
            to="+447700900123",
            context={"name": "Pat", "promise": "today", "preferred_time": "today"},
        )


def settled(message):
    """The message once it has stopped moving (not pending or sending)."""
    message.refresh_from_db()
    return message.status not in (Message.Status.PENDING, Message.Status.SENDING) and message


def test_two_server_errors_then_success_is_sent_after_retries(celery_worker, twilio, no_quiet_hours):
    twilio.reply_with(500, 500, 201)
    message = write_ack()
    wait_until(lambda: settled(message), message="the retries to finish")
    assert message.status == Message.Status.SENT
    assert message.attempts == 3
    assert len(twilio.requests) == 3


def test_too_many_requests_is_retried_by_the_worker(celery_worker, twilio, no_quiet_hours):
    twilio.reply_with(429)
    message = write_ack()
    wait_until(lambda: settled(message), message="the retry")
    assert message.status == Message.Status.SENT
    assert len(twilio.requests) == 2


def test_an_invalid_number_fails_after_one_request(celery_worker, twilio, no_quiet_hours):
    twilio.reply_with((400, 21211))
    message = write_ack()
    wait_until(lambda: settled(message), message="the failure")
    assert message.status == Message.Status.FAILED
    assert message.error_code == "21211"
    assert relay_due_messages() == 0
    assert len(twilio.requests) == 1


def test_a_read_timeout_leaves_the_message_unknown_and_it_is_not_resent(
    celery_worker, twilio, no_quiet_hours, settings
):
    settings.TWILIO_READ_TIMEOUT = 0.3
    twilio.reply_with("hang")
    message = write_ack()
    wait_until(lambda: settled(message), message="the timeout")
    assert message.status == Message.Status.UNKNOWN
    assert relay_due_messages() == 0
    assert len(twilio.requests) == 1
