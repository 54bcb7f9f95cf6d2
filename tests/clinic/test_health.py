"""/healthz for the load balancer, /readyz for monitoring: database, cache, broker, a worker's
ping, beat's relay and the SMS backlog (issue 10, finding 6)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from clinic.core.heartbeats import last_heartbeat, record_heartbeat
from clinic.sms.health import RELAY_HEARTBEAT
from clinic.sms.models import Message
from tests.clinic.sms.fixtures import wait_until, worker_processes

pytestmark = pytest.mark.django_db


def waiting_text(minutes_overdue: float, status=Message.Status.PENDING) -> Message:
    return Message.objects.create(
        kind="reminder",
        to="+447700900123",
        body="Reminder",
        status=status,
        due_at=timezone.now() - timedelta(minutes=minutes_overdue),
    )


def readyz(client):
    response = client.get("/readyz")
    assert response["Content-Type"] == "application/json"
    return response.status_code, response.json()


def test_healthz_is_a_cheap_liveness_check(client, django_assert_num_queries):
    with django_assert_num_queries(1):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_readyz_is_ok_when_everything_works(client):
    status, body = readyz(client)
    assert status == 200
    # Tasks run in-process here (no broker), so there is no worker or beat to ask about.
    assert body == {
        "status": "ok",
        "checks": {"database": "OK", "cache": "OK", "secret_key": "OK", "sms_backlog": "OK"},
    }


def test_readyz_is_503_when_a_due_text_has_waited_more_than_10_minutes(client):
    waiting_text(11)
    waiting_text(3, status=Message.Status.SENDING)
    waiting_text(30, status=Message.Status.SENT)  # sent: not waiting

    status, body = readyz(client)

    assert status == 503
    assert body["status"] == "unhealthy"
    assert body["checks"]["sms_backlog"] == "Unavailable: 2 text(s) waiting; the oldest has been due for 11 min"
    assert body["checks"]["database"] == "OK"


def test_a_text_due_for_less_than_10_minutes_is_not_a_problem_yet(client):
    waiting_text(9)
    assert readyz(client)[0] == 200


def test_readyz_says_the_cache_is_down_instead_of_failing(client, unreachable_cache):
    status, body = readyz(client)
    assert status == 503
    assert body["checks"]["cache"].startswith("Unexpected Result")
    assert body["checks"]["database"] == "OK"


def test_an_unhealthy_probe_logs_one_warning_and_no_error(client, caplog):
    waiting_text(11)
    client.get("/readyz")
    assert [(r.name, r.levelname) for r in caplog.records if r.levelname in ("WARNING", "ERROR")] == [
        ("clinic.core.health", "WARNING")
    ]


# --- with the real broker and a real worker -------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_readyz_sees_a_worker_and_beat_and_turns_503_when_the_worker_stops(client, celery_live, tmp_path):
    from clinic.sms.tasks import relay_due_messages

    with worker_processes(1, env={}, log_dir=tmp_path):
        relay_due_messages.delay()  # what beat does every 30 s; the worker records the heartbeat
        wait_until(lambda: last_heartbeat(RELAY_HEARTBEAT), message="the relay's heartbeat")

        status, body = readyz(client)

        assert (status, body["status"]) == (200, "ok"), body
        assert set(body["checks"]) == {"database", "cache", "secret_key", "broker", "workers", "beat", "sms_backlog"}

    status, body = readyz(client)

    assert status == 503
    assert body["checks"]["workers"] == "Unavailable: Celery workers unavailable"
    assert body["checks"]["beat"] == "OK"  # it ran a moment ago


@pytest.mark.redis
def test_readyz_is_503_when_the_relay_has_not_run_for_two_minutes(client, celery_live):
    record_heartbeat(RELAY_HEARTBEAT, at=timezone.now() - timedelta(minutes=3))

    status, body = readyz(client)

    assert status == 503
    assert body["checks"]["beat"].startswith("Unavailable: the SMS relay last ran 180 s ago")


@pytest.mark.redis
def test_readyz_says_so_when_the_relay_has_never_run(client, celery_live):
    status, body = readyz(client)
    assert status == 503
    assert "never run" in body["checks"]["beat"]


# --- one SECRET_KEY on every host (issue 17, finding 5) -------------------------------------------


def test_readyz_is_503_while_another_host_has_another_secret_key(client):
    from clinic.core.heartbeats import record_heartbeat

    record_heartbeat("host:web-2:web", detail="0123456789abcdef")  # another key's fingerprint

    status, body = readyz(client)

    assert status == 503
    assert body["checks"]["secret_key"].startswith("Unavailable: SECRET_KEY differs between hosts: web-2:web")


def test_hosts_with_the_same_key_agree_and_a_host_long_gone_is_forgotten(client, settings):
    from clinic.core.heartbeats import record_heartbeat
    from clinic.core.hosts import key_fingerprint

    record_heartbeat("host:web-2:web", detail=key_fingerprint())
    record_heartbeat("host:old-web:web", detail="0123456789abcdef", at=timezone.now() - timedelta(hours=1))

    status, body = readyz(client)

    assert status == 200 and body["checks"]["secret_key"] == "OK"


def test_the_fingerprint_depends_on_the_key_and_reveals_nothing_of_it(settings):
    from clinic.core.hosts import key_fingerprint

    mine = key_fingerprint()
    settings.SECRET_KEY = "another-secret-key-for-another-host-0123456789"
    assert key_fingerprint() != mine and len(mine) == 16
    assert settings.SECRET_KEY[:8] not in key_fingerprint()


def test_a_probe_records_this_host_and_a_worker_records_itself_when_it_relays(client, settings):
    from clinic.core.models import Heartbeat
    from clinic.sms.tasks import relay_due_messages

    settings.HOST_ID = "web-7"
    client.get("/readyz")
    settings.HOST_ID = "worker-3"
    relay_due_messages.delay()

    assert set(Heartbeat.objects.filter(name__startswith="host:").values_list("name", flat=True)) == {
        "host:web-7:web",
        "host:worker-3:worker",
    }
