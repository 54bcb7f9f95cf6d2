"""Celery tasks for callbacks: thin, they take primary keys and call a service."""

import logging

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse

from clinic.core.models import ClinicSettings

from .models import CallbackRequest

logger = logging.getLogger(__name__)


@shared_task(name="callbacks.tasks.purge_closed_callbacks")
def purge_closed_callbacks(older_than_days: int | None = None) -> int:
    """Retention, daily from Celery beat: the management command of the same name does the work."""
    from django.core.management import call_command

    days = older_than_days if older_than_days is not None else settings.CALLBACK_RETENTION_DAYS
    call_command("purge_closed_callbacks", days=days, verbosity=0)
    return days


@shared_task(
    name="callbacks.tasks.email_reception_notice",
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=5,
)
def email_reception_notice(request_id: int) -> bool:
    """Email reception that a new callback request arrived. Retries on SMTP/network errors.

    Returns False when there is nothing to send (request gone, or no reception address).
    """
    req = CallbackRequest.objects.filter(pk=request_id).first()
    clinic = ClinicSettings.load()
    if req is None or not clinic.reception_email:
        return False
    context = {
        "req": req,
        "clinic": clinic,
        "admin_url": settings.PUBLIC_BASE_URL.rstrip("/")
        + reverse("admin:callbacks_callbackrequest_change", args=[req.pk]),
    }
    send_mail(
        subject=f"Callback request: {req.name} ({req.phone.as_national})",
        message=render_to_string("callbacks/email/reception_notice.txt", context),
        from_email=None,
        recipient_list=[clinic.reception_email],
    )
    return True
