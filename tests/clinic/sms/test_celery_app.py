"""The Celery settings the SMS guarantees rest on (late acks, requeue on a lost worker, JSON)."""

from clinic.celery import app


def test_tasks_are_acknowledged_late_and_requeued_if_their_worker_dies():
    assert app.conf.task_acks_late is True
    assert app.conf.task_reject_on_worker_lost is True
    assert app.conf.worker_prefetch_multiplier == 1


def test_tasks_are_json_only_and_time_limited():
    assert app.conf.task_serializer == "json"
    assert app.conf.accept_content == ["json"]
    assert 0 < app.conf.task_soft_time_limit < app.conf.task_time_limit


def test_beat_runs_the_sms_relay_every_30_seconds():
    entry = app.conf.beat_schedule["sms-relay"]
    assert entry["task"] == "clinic.sms.tasks.relay_due_messages"
    assert entry["schedule"] == 30.0
    assert entry["task"] in app.tasks
