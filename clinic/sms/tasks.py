"""Celery tasks for SMS: thin, taking primary keys; the work is in `services`."""

from celery import shared_task

from clinic.core.heartbeats import record_heartbeat
from clinic.core.hosts import record_this_host

from . import services
from .health import RELAY_HEARTBEAT


@shared_task(bind=True, name="clinic.sms.tasks.send_message", max_retries=None, ignore_result=True)
def send_message(self, message_id: int) -> str | None:
    """Send one outbox row; on a transient failure, run again after the backoff the service chose.

    When tasks run in-process (the demo, unit tests) there is no countdown, so a retry is left to
    the relay, which picks the row up once it is due.
    """
    outcome = services.send_message_now(message_id=message_id, retry_scheduled=not self.request.is_eager)
    if outcome is None:
        return None
    if outcome.retry_in is not None and not self.request.is_eager:
        raise self.retry(countdown=outcome.retry_in)
    return outcome.status


@shared_task(name="clinic.sms.tasks.relay_due_messages", ignore_result=True)
def relay_due_messages() -> int:
    """Run by beat every 30 s: queue due rows whose send task never ran (see services).

    Records the relay's heartbeat first, which /readyz reads to tell that beat and a worker run,
    and this worker's SECRET_KEY fingerprint, which /readyz compares with the web hosts'.
    """
    record_heartbeat(RELAY_HEARTBEAT)
    record_this_host("worker")
    return services.relay_due_messages()


@shared_task(name="clinic.sms.tasks.reconcile_unknown_messages", ignore_result=True)
def reconcile_unknown_messages() -> int:
    """Run by beat every minute: settle texts of unknown fate against Twilio's log (see reconcile)."""
    from .reconcile import reconcile_unknown_messages as reconcile

    summary = reconcile()
    return summary.found + summary.resent
