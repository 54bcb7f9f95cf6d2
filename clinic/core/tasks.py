"""Celery tasks of clinic.core: thin, they call a service."""

from celery import shared_task

from .privacy import apply_retention as apply_retention_rules


@shared_task(name="clinic.core.tasks.apply_retention")
def apply_retention() -> dict:
    """Nightly from beat: every registered retention rule. Returns the counts by rule."""
    return {result.rule.key: result.count for result in apply_retention_rules()}
