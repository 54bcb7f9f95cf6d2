import time
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import transaction

from clinic.sms.models import Message
from clinic.sms.services import queue_sms, relay_due_messages
from tests.clinic.sms.fixtures import closed_port, reset_broker_connections
from tests.conftest import at

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
PAT = "+447700900123"


def ack(**kwargs):
    return queue_sms(
        kind="callback_ack",
        to=PAT,
        context={"name": "Pat", "promise": "today", "preferred_time": "today"},
        **kwargs,
    )


def test_the_row_is_written_in_the_callers_transaction_and_goes_if_it_rolls_back(awake, sms_outbox):
    with pytest.raises(RuntimeError), transaction.atomic():
        ack()
        assert Message.objects.count() == 1
        raise RuntimeError("the booking failed")
    assert Message.objects.count() == 0
    assert sms_outbox == []


def test_a_message_due_now_is_sent_only_after_commit(awake, sms_outbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            message = ack()
        assert sms_outbox == []  # nothing is sent while the transaction is open
    message.refresh_from_db()
    assert message.status == Message.Status.SENT
    assert message.attempts == 1
    assert message.provider_id.startswith("SM")
    assert [(m.to, m.kind) for m in sms_outbox] == [(PAT, "callback_ack")]
    assert "Thanks, Pat" in sms_outbox[0].body


def test_a_message_written_in_quiet_hours_waits_until_eight(sms_outbox, django_capture_on_commit_callbacks):
    with time_machine.travel(datetime(2030, 1, 7, 22, 30, tzinfo=LONDON), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            message = ack()
        # Moved when written, so no send task is queued for it (that would lease the row); the
        # send-time gate is only the second line.
        assert message.due_at == at(date(2030, 1, 8), "08:00")
        assert message.lease_until is None
        message.refresh_from_db()
        assert message.due_at == at(date(2030, 1, 8), "08:00")
        assert message.status == Message.Status.PENDING
        assert relay_due_messages() == 0
    with time_machine.travel(datetime(2030, 1, 8, 7, 59, tzinfo=LONDON), tick=False):
        assert relay_due_messages() == 0
    assert sms_outbox == []
    with time_machine.travel(datetime(2030, 1, 8, 8, 0, 30, tzinfo=LONDON), tick=False):
        assert relay_due_messages() == 1
    message.refresh_from_db()
    assert message.status == Message.Status.SENT
    assert len(sms_outbox) == 1


def test_a_message_due_later_goes_when_the_relay_finds_it_due(sms_outbox, django_capture_on_commit_callbacks):
    with time_machine.travel(datetime(2030, 1, 7, 10, 0, tzinfo=LONDON), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            message = ack(due_at=at(date(2030, 1, 7), "15:00"))
        assert relay_due_messages() == 0
    with time_machine.travel(datetime(2030, 1, 7, 15, 0, 1, tzinfo=LONDON), tick=False):
        assert relay_due_messages() == 1
        assert relay_due_messages() == 0
    message.refresh_from_db()
    assert message.status == Message.Status.SENT
    assert len(sms_outbox) == 1


def test_writing_a_message_never_fails_when_the_broker_is_down(awake, sms_outbox, django_capture_on_commit_callbacks):
    from clinic.celery import app

    eager, broker = app.conf.task_always_eager, app.conf.broker_url
    app.conf.task_always_eager, app.conf.broker_url = False, f"redis://127.0.0.1:{closed_port()}/0"
    reset_broker_connections(app)
    try:
        started = time.monotonic()
        with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
            message = ack()
        assert time.monotonic() - started < 1.0
    finally:
        app.conf.task_always_eager, app.conf.broker_url = eager, broker
        reset_broker_connections(app)
    message.refresh_from_db()
    assert message.status == Message.Status.PENDING
    assert message.lease_until is None  # so the next relay run takes it
    assert sms_outbox == []
    assert relay_due_messages() == 1  # tasks run in-process again: the relay sends it
    message.refresh_from_db()
    assert message.status == Message.Status.SENT
    assert len(sms_outbox) == 1


def test_the_relay_leaves_a_freshly_queued_message_to_its_task(awake, sms_outbox, django_capture_on_commit_callbacks):
    # Written and committed, but its on-commit task has not run (still in the callbacks list).
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        message = ack()
    assert relay_due_messages() == 0
    with time_machine.travel(timedelta(minutes=3)):
        assert relay_due_messages() == 1  # the lease ran out: the task must have been lost
    message.refresh_from_db()
    assert message.status == Message.Status.SENT
    for callback in callbacks:
        callback()  # the lost task turns up after all: it finds the row already sent
    assert len(sms_outbox) == 1
