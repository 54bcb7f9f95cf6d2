"""The request_callback service: one open request per phone, acknowledgements and notices."""

import threading
from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.utils import timezone
from phonenumber_field.phonenumber import PhoneNumber

from callbacks.models import CallbackRequest, SmsKind
from callbacks.services import request_callback
from clinic.sms.models import Message

from .conftest import MOBILE_E164

pytestmark = pytest.mark.django_db

PHONE = PhoneNumber.from_string(MOBILE_E164)


def _ask(**overrides):
    fields = {"name": "Pat Example", "phone": PHONE, "reason": "book"} | overrides
    return request_callback(**fields)


def _acks(req):
    return Message.objects.about(req).filter(kind=SmsKind.CALLBACK_ACK)


def test_a_second_request_from_the_same_phone_while_one_is_open_updates_it(reception):
    first = _ask(message="Neck pain")
    day = timezone.localdate() + timedelta(days=2)
    second = _ask(name="Pat Example-Jones", when="day", preferred_day=day, preferred_period="morning", message="Ok")

    assert second.created is False
    assert CallbackRequest.objects.count() == 1
    req = CallbackRequest.objects.get()
    assert req.pk == first.request.pk
    assert (req.name, req.preferred_day, req.preferred_period, req.times_asked) == (
        "Pat Example-Jones",
        day,
        "morning",
        2,
    )
    assert req.message == "Neck pain\n\nOk"  # nothing they told us is lost
    # Reception was told once, about the new request; the update shows in the queue.
    assert Message.objects.filter(kind=SmsKind.CALLBACK_NOTICE).count() == 1


def test_a_repeat_request_within_a_day_sends_no_second_acknowledgement():
    first = _ask()
    second = _ask()

    assert (first.acknowledged, second.acknowledged) == (True, False)
    assert _acks(first.request).count() == 1


def test_a_repeat_request_after_the_cool_down_is_acknowledged_again(settings):
    settings.CALLBACK_ACK_COOLDOWN_HOURS = 24
    first = _ask()
    with time_machine.travel(timezone.now() + timedelta(hours=25)):
        second = _ask()

    assert second.acknowledged is True
    assert _acks(first.request).count() == 2


def test_a_closed_request_does_not_stop_a_new_one_for_the_same_phone():
    old = _ask().request
    old.status = CallbackRequest.Status.DONE
    old.save()

    new = _ask()

    assert new.created is True
    assert CallbackRequest.objects.count() == 2
    assert old.closed_at is not None


def test_asking_as_soon_as_possible_clears_a_day_given_by_mistake():
    req = _ask(when="asap", preferred_day=timezone.localdate(), preferred_period="evening").request

    assert (req.preferred_day, req.preferred_period) == (None, "")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_requests_from_one_phone_end_in_one_row():
    barrier = threading.Barrier(2)
    results, errors = [], []

    def submit():
        try:
            barrier.wait(timeout=5)
            results.append(_ask())
        except Exception as error:  # reported below; a thread must not swallow it silently
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)

    assert errors == []
    assert sorted(r.created for r in results) == [False, True]
    assert CallbackRequest.objects.count() == 1
    assert CallbackRequest.objects.get().times_asked == 2


def test_reception_is_still_emailed_when_the_broker_is_down(
    reception, mailoutbox, no_quiet_hours, django_capture_on_commit_callbacks
):
    from clinic.celery import app
    from tests.clinic.sms.fixtures import closed_port, reset_broker_connections

    eager, broker = app.conf.task_always_eager, app.conf.broker_url
    app.conf.task_always_eager, app.conf.broker_url = False, f"redis://127.0.0.1:{closed_port()}/0"
    reset_broker_connections(app)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            _ask()
    finally:
        app.conf.task_always_eager, app.conf.broker_url = eager, broker
        reset_broker_connections(app)
    assert [m.to for m in mailoutbox] == [["reception@clinic.example.test"]]
    assert mailoutbox[0].subject == "Callback request waiting"
