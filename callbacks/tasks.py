"""Celery tasks for callbacks: thin, they call a service."""

from celery import shared_task
from django.conf import settings

from . import services


@shared_task(name="callbacks.tasks.purge_closed_callbacks")
def purge_closed_callbacks(older_than_days: int | None = None) -> int:
    """Retention, daily from Celery beat: the management command of the same name does the work."""
    from django.core.management import call_command

    days = older_than_days if older_than_days is not None else settings.CALLBACK_RETENTION_DAYS
    call_command("purge_closed_callbacks", days=days, verbosity=0)
    return days


@shared_task(name="callbacks.tasks.email_due_reception_notices")
def email_due_reception_notices() -> int:
    """Email reception about new callback requests whose notice is due. Queued after each new
    request, and run by beat every minute to catch up on any the broker or a worker lost."""
    return services.send_due_reception_emails()
