"""Celery tasks for texted codes: thin, taking primary keys; the work is in `services`."""

from celery import shared_task

from . import services


@shared_task(name="clinic.codes.tasks.issue_code", ignore_result=True)
def issue_code(code_id: int) -> None:
    """Queued after a code is asked for: text it if the number may receive it (see services)."""
    services.issue_code(code_id=code_id)


@shared_task(name="clinic.codes.tasks.purge_old_codes", ignore_result=True)
def purge_old_codes() -> int:
    """Run by beat every hour: delete code rows past their retention, with their texts."""
    return services.purge_old_codes()
