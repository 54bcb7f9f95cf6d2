"""Real concurrency against PostgreSQL: relays and workers in threads with their own connections."""

import random
import threading
from datetime import timedelta

import pytest
from django.db import connections
from django.utils import timezone

from clinic.sms.models import Message
from clinic.sms.services import relay_due_messages, send_message_now
from tests.clinic.sms.fixtures import (
    ACCOUNT_SID,
    AUTH_TOKEN,
    MESSAGING_SERVICE_SID,
    redis_queue_length,
    wait_until,
    worker_processes,
)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]

COUNT = 50


@pytest.fixture
def due_messages(db):
    earlier = timezone.now() - timedelta(minutes=5)
    return Message.objects.bulk_create(
        Message(kind="reminder", to=f"+4477009{n:05d}", body=f"Reminder {n}", due_at=earlier) for n in range(COUNT)
    )


def run_at_once(*targets):
    """Start every target in its own thread at the same moment; each closes its DB connection."""
    barrier = threading.Barrier(len(targets))
    results, errors = [None] * len(targets), []

    def run(i, target):
        try:
            barrier.wait()
            results[i] = target()
        except BaseException as error:  # surfaced in the test thread below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, t)) for i, t in enumerate(targets)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors, errors
    return results


@pytest.mark.redis
@pytest.mark.slow
def test_two_relays_and_two_workers_send_each_of_50_messages_exactly_once(
    celery_live, fake_twilio, no_quiet_hours, due_messages, settings, tmp_path
):
    """Two `celery worker` processes, as in production, and two relays in threads."""
    # No lease: the relays may queue the same rows again and again, so only the workers' atomic
    # claim stands between a row and a second text.
    settings.SMS_RELAY_LEASE_SECONDS = 0
    worker_env = {
        "SMS_BACKEND": "clinic.sms.backends.twilio.TwilioBackend",
        "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
        "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
        "TWILIO_MESSAGING_SERVICE_SID": MESSAGING_SERVICE_SID,
        "TWILIO_API_BASE": fake_twilio.base_url,
        "SMS_QUIET_HOURS_START": "00:00",
        "SMS_QUIET_HOURS_END": "00:00",
    }
    with worker_processes(2, env=worker_env, log_dir=tmp_path) as logs:
        queued = run_at_once(lambda: relay_due_messages(batch_size=10), lambda: relay_due_messages(batch_size=10))
        assert sum(queued) >= COUNT
        fake_twilio.wait_for_requests(COUNT, timeout=60)
        wait_until(
            lambda: Message.objects.filter(status=Message.Status.SENT).count() == COUNT,
            timeout=30,
            message="every message to be recorded as sent",
        )
        wait_until(lambda: redis_queue_length() == 0, message="the queue to drain")
    recipients = [form["To"] for form in fake_twilio.forms]
    assert len(recipients) == COUNT
    assert sorted(recipients) == sorted(str(m.to) for m in due_messages)
    assert set(Message.objects.values_list("attempts", flat=True)) == {1}
    worked = [log.read_text().count("Task clinic.sms.tasks.send_message[") for log in logs]
    assert all(worked), f"both workers should have taken tasks: {worked}"


@pytest.mark.redis
def test_two_relays_at_once_queue_each_due_message_once(celery_live, no_quiet_hours, due_messages):
    queued = run_at_once(lambda: relay_due_messages(batch_size=10), lambda: relay_due_messages(batch_size=10))
    assert sum(queued) == COUNT
    assert redis_queue_length() == COUNT
    assert relay_due_messages() == 0  # all leased to their queued tasks


def test_four_senders_racing_over_the_same_rows_send_each_once(sms_outbox, no_quiet_hours, due_messages):
    ids = [m.pk for m in due_messages]

    def sender():
        order = ids[:]
        random.shuffle(order)
        return sum(1 for pk in order if send_message_now(message_id=pk))

    results = run_at_once(sender, sender, sender, sender)
    assert sum(results) == COUNT
    assert len(sms_outbox) == COUNT
    assert len({sms.message_id for sms in sms_outbox}) == COUNT
    assert Message.objects.filter(status=Message.Status.SENT).count() == COUNT


def test_a_message_stuck_in_sending_after_a_worker_died_is_marked_unknown_not_resent(
    sms_outbox, no_quiet_hours, due_messages, time_machine
):
    stuck = due_messages[0]
    Message.objects.filter(pk=stuck.pk).update(
        status=Message.Status.SENDING, attempts=1, lease_until=timezone.now() + timedelta(minutes=2)
    )
    time_machine.move_to(timezone.now() + timedelta(minutes=3), tick=False)
    relay_due_messages()
    stuck.refresh_from_db()
    assert stuck.status == Message.Status.UNKNOWN
    assert "may or may not have gone out" in stuck.error_message
    assert stuck.pk not in {sms.message_id for sms in sms_outbox}
