"""Celery tasks for callbacks: thin, they call a service."""

from celery import shared_task

from . import services


@shared_task(name="callbacks.tasks.email_due_reception_notices")
def email_due_reception_notices() -> int:
    """Email reception about new callback requests whose notice is due. Queued after each new
    request, and run by beat every minute to catch up on any the broker or a worker lost."""
    return services.send_due_reception_emails()
