"""SMS transports, chosen by the SMS_BACKEND setting (a dotted path, like EMAIL_BACKEND)."""

from django.conf import settings
from django.utils.module_loading import import_string

from .base import BaseBackend, LookupUnsupported, SendError, SendResult, SentRecord

__all__ = ["BaseBackend", "LookupUnsupported", "SendError", "SendResult", "SentRecord", "get_backend"]


def get_backend() -> BaseBackend:
    """A new instance of the configured backend."""
    return import_string(settings.SMS_BACKEND)()
