"""What every SMS backend does, and how it reports failure."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from clinic.sms.models import Message


def e164(number) -> str:
    """The number as +447700900123: str() of a PhoneNumber uses the display format (national)."""
    return getattr(number, "as_e164", None) or str(number)


@dataclass(frozen=True)
class SendResult:
    provider_id: str = ""


class SendError(Exception):
    """A send did not succeed.

    `permanent`: retrying cannot help (invalid number, opted out); the message is failed.
    `maybe_sent`: the request may have reached the provider (a read timeout), so resending
    could text the patient twice; the message is marked unknown for staff to decide.
    Otherwise the failure is transient and the send is retried with backoff.
    """

    def __init__(self, message: str, *, code: str = "", permanent: bool = False, maybe_sent: bool = False):
        super().__init__(message)
        self.message = message
        self.code = str(code or "")
        self.permanent = permanent
        self.maybe_sent = maybe_sent


@dataclass(frozen=True)
class SentRecord:
    """A message the provider has on record: its id and its status in the provider's words."""

    provider_id: str
    status: str


class LookupUnsupported(Exception):
    """The backend keeps no log to look in (console, in-memory): unknown texts stay for staff."""


class BaseBackend:
    def send(self, message: Message, *, status_callback: str = "") -> SendResult:
        """Hand one message to the provider; return its id or raise `SendError`.

        `status_callback` is the absolute URL where the provider reports delivery.
        """
        raise NotImplementedError

    def find_sent(self, message: Message, *, since, until, exclude_ids=frozenset()) -> SentRecord | None:
        """Look for `message` in the provider's log: a message to the same number with the same
        body, created between `since` and `until`, whose id is not in `exclude_ids` (ids other
        rows already hold). Returns None if there is none.

        Raises `LookupUnsupported` if this backend cannot look, `SendError` if the provider
        could not be asked (try again later).
        """
        raise LookupUnsupported(type(self).__name__)
