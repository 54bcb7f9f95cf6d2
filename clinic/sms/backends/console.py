"""Prints each SMS, for the demo and local development."""

import sys
import threading

from .base import BaseBackend, SendResult, e164


class ConsoleBackend(BaseBackend):
    _lock = threading.Lock()

    def __init__(self, stream=None):
        self.stream = stream or sys.stdout

    def send(self, message, *, status_callback=""):
        """Write the text to stdout with a separator; never fails."""
        with self._lock:
            self.stream.write(f"--- SMS to {e164(message.to)} ({message.kind}) ---\n{message.body}\n{'-' * 40}\n")
            self.stream.flush()
        return SendResult(provider_id=f"console-{message.pk}")
