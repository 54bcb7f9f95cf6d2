"""Retention: the management command and the nightly retention job delete old closed requests only."""

from datetime import timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from callbacks.models import CallAttempt, CallbackRequest
from clinic.core.tasks import apply_retention

pytestmark = pytest.mark.django_db


def _request(phone, *, status, closed_days_ago=None):
    req = CallbackRequest.objects.create(name="Someone", phone=phone, reason="book", status=CallbackRequest.Status.NEW)
    if status != CallbackRequest.Status.NEW:
        with time_machine.travel(timezone.now() - timedelta(days=closed_days_ago or 0)):
            req.status = status
            req.save()
    CallAttempt.objects.create(request=req, outcome="no_answer")
    return req


@pytest.fixture
def requests(db):
    return {
        "old_done": _request("+447400200001", status="done", closed_days_ago=200),
        "old_closed": _request("+447400200002", status="closed", closed_days_ago=181),
        "recent_done": _request("+447400200003", status="done", closed_days_ago=10),
        "old_but_open": _request("+447400200004", status="in_progress", closed_days_ago=400),
    }


def test_it_deletes_only_closed_requests_older_than_the_limit_and_their_attempts(requests, caplog):
    caplog.set_level("INFO", logger="callbacks.retention")
    call_command("purge_closed_callbacks")

    remaining = set(CallbackRequest.objects.values_list("pk", flat=True))
    assert remaining == {requests["recent_done"].pk, requests["old_but_open"].pk}
    assert CallAttempt.objects.count() == 2
    assert "Deleted 2 closed callback requests and 2 call attempts older than 180 days." in caplog.text


def test_the_limit_comes_from_the_option_or_the_setting(requests, settings):
    settings.CALLBACK_RETENTION_DAYS = 5
    call_command("purge_closed_callbacks")
    assert set(CallbackRequest.objects.values_list("pk", flat=True)) == {requests["old_but_open"].pk}


def test_the_option_overrides_the_setting(requests):
    call_command("purge_closed_callbacks", days=190)
    assert CallbackRequest.objects.count() == 3


def test_the_nightly_retention_job_deletes_them_too(requests):
    apply_retention.delay()
    assert set(CallbackRequest.objects.values_list("pk", flat=True)) == {
        requests["recent_done"].pk,
        requests["old_but_open"].pk,
    }


def test_the_retention_job_is_scheduled_nightly_by_beat(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["retention"]
    assert entry["task"] == apply_retention.name == "clinic.core.tasks.apply_retention"
    assert "callbacks-retention" not in settings.CELERY_BEAT_SCHEDULE
