"""Celery tasks for email: thin, taking primary keys; the work is in `services`."""

from celery import shared_task

from . import services


@shared_task(bind=True, name="clinic.mail.tasks.send_email", max_retries=None, ignore_result=True)
def send_email(self, email_id: int) -> str | None:
    """Send one outbox row; on a transient failure, run again after the backoff the service chose.

    When tasks run in-process (the demo, unit tests) there is no countdown, so a retry is left to
    the relay, which picks the row up once it is due.
    """
    outcome = services.send_email_now(email_id=email_id, retry_scheduled=not self.request.is_eager)
    if outcome is None:
        return None
    if outcome.retry_in is not None and not self.request.is_eager:
        raise self.retry(countdown=outcome.retry_in)
    return outcome.status


@shared_task(name="clinic.mail.tasks.relay_due_emails", ignore_result=True)
def relay_due_emails() -> int:
    """Run by beat every 30 s: queue due rows whose send task never ran (see services)."""
    return services.relay_due_emails()
