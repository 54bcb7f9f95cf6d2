"""Keeps sent messages in memory for tests, like django.core.mail's outbox.

Tests read `clinic.sms.backends.locmem.outbox` (or the `sms_outbox` fixture, which empties it).
"""

import threading
from dataclasses import dataclass

from .base import BaseBackend, SendResult, e164

outbox: list["SentSMS"] = []
_lock = threading.Lock()


@dataclass(frozen=True)
class SentSMS:
    to: str
    body: str
    kind: str
    message_id: int
    status_callback: str


class LocmemBackend(BaseBackend):
    def send(self, message, *, status_callback=""):
        """Append the text to `outbox`; never fails."""
        with _lock:
            outbox.append(
                SentSMS(
                    to=e164(message.to),
                    body=message.body,
                    kind=message.kind,
                    message_id=message.pk,
                    status_callback=status_callback,
                )
            )
            return SendResult(provider_id=f"SMlocmem{message.pk:024d}")
