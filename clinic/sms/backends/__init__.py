"""SMS transports, chosen by the SMS_BACKEND setting (a dotted path, like EMAIL_BACKEND)."""

from django.conf import settings
from django.utils.module_loading import import_string

from .base import BaseBackend, SendError, SendResult

__all__ = ["BaseBackend", "SendError", "SendResult", "get_backend"]


def get_backend() -> BaseBackend:
    """A new instance of the configured backend."""
    return import_string(settings.SMS_BACKEND)()
