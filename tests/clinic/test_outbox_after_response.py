"""A text or email written during a web request has its send task queued once the response has
gone: the patient does not wait for the broker (about a millisecond a task), and the committed
row is sent whatever happens after (the relay queues it when its lease runs out)."""

import http.cookiejar
import threading
import urllib.parse
import urllib.request

import pytest
from django.core.signals import request_finished, request_started
from django.db import transaction

from callbacks.models import CallbackRequest, SmsKind
from clinic.core import outbox
from clinic.sms import services as sms_services
from clinic.sms.models import Message
from tests.callbacks.conftest import form_data


def test_outside_a_request_the_task_is_queued_as_soon_as_the_row_commits(db, django_capture_on_commit_callbacks):
    queued = []
    with django_capture_on_commit_callbacks(execute=True):
        outbox.enqueue_after_commit(queued.append, 7)
        assert queued == []  # not while the transaction is open
    assert queued == [7]


def test_in_a_request_the_task_waits_until_the_response_has_gone(db, django_capture_on_commit_callbacks):
    queued = []
    request_started.send(sender=None)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            outbox.enqueue_after_commit(queued.append, 1)
            outbox.enqueue_after_commit(queued.append, 2)
        assert queued == []
    finally:
        request_finished.send(sender=None)
    assert queued == [1, 2]


def test_a_row_rolled_back_in_a_request_queues_nothing(db):
    queued = []
    request_started.send(sender=None)
    try:
        with pytest.raises(RuntimeError), transaction.atomic():
            outbox.enqueue_after_commit(queued.append, 1)
            raise RuntimeError("the booking failed")
    finally:
        request_finished.send(sender=None)
    assert queued == []


def test_one_task_that_cannot_be_queued_does_not_keep_the_others_back(db, django_capture_on_commit_callbacks, caplog):
    queued = []

    def broken(pk):
        raise ConnectionError("the broker went away")

    request_started.send(sender=None)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            outbox.enqueue_after_commit(broken, 1)
            outbox.enqueue_after_commit(queued.append, 2)
    finally:
        request_finished.send(sender=None)  # must not raise: the response has already gone
    assert queued == [2]
    assert "the relay will queue it" in caplog.text


@pytest.mark.django_db(transaction=True)
def test_the_patient_has_the_answer_before_the_texts_task_is_queued(live_server, settings, monkeypatch):
    """Through a real server: the callback's acknowledgement text is queued only after the thank-you
    answer has reached the browser. Were it queued first, the request would wait on `answered`
    and the browser would time out."""
    settings.CALLBACK_MIN_FILL_SECONDS = 0
    settings.SMS_QUIET_HOURS_START = settings.SMS_QUIET_HOURS_END = "00:00"  # the text is due now, any hour
    answered, done, queued = threading.Event(), threading.Event(), []

    def enqueue(message_id):
        queued.append((message_id, answered.wait(timeout=10)))
        done.set()
        return True

    monkeypatch.setattr(sms_services, "enqueue_send", enqueue)
    jar = http.cookiejar.CookieJar()
    browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    browser.open(f"{live_server.url}/callback/", timeout=5).read()
    token = next(cookie.value for cookie in jar if cookie.name == settings.CSRF_COOKIE_NAME)
    body = urllib.parse.urlencode({**form_data(), "csrfmiddlewaretoken": token}).encode()

    with browser.open(f"{live_server.url}/callback/", data=body, timeout=5) as response:
        page = response.read().decode()
    answered.set()

    assert "Thank you, we will call you" in page
    request = CallbackRequest.objects.get()
    ack = Message.objects.about(request).get(kind=SmsKind.CALLBACK_ACK)
    assert done.wait(timeout=10)
    assert queued == [(ack.pk, True)]
