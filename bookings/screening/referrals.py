"""How a "refer" answer reaches reception's queue, although bookings may not import callbacks.

Imports run callbacks -> bookings, never the reverse, yet a refer answer given in the booking flow
or from a reception booking's link must become a clinical-review callback request. So callbacks
registers the function that takes a referral (`CallbacksConfig.ready`), as apps register glance
providers, and the screening services hand each referral to it inside their transaction: the
answers and the queue item are written together or not at all.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ImproperlyConfigured


@dataclass(frozen=True)
class Referral:
    """Everything reception needs to call back, and no more. `answer_set` holds the health answers;
    whoever takes the referral must keep them behind the clinical-notes permission."""

    name: str
    phone: object  # a PhoneNumber
    patient: object  # the Patient (found or created by phone)
    answer_set: object  # the AnswerSet with the refer answer
    appointment: object | None = None  # a reception booking whose link was answered
    length: object | None = None  # the TreatmentLength they wanted to book
    therapist: object | None = None  # None: no preference
    start: datetime | None = None
    consents: tuple[str, ...] = ()  # consent purposes ticked on the same form (e.g. the privacy notice)


@dataclass(frozen=True)
class Receipt:
    """What taking a referral produced: the queue item, and the page to show the patient next."""

    item: object
    next_url: str


Handler = Callable[[Referral], Receipt]
_handlers: list[Handler] = []


def register(handler: Handler) -> Handler:
    """Make `handler` the taker of referrals (registering the same one twice is harmless)."""
    if handler not in _handlers:
        _handlers.append(handler)
    return handler


def send(referral: Referral) -> Receipt:
    """Hand `referral` to the registered taker, in the caller's transaction.

    Raises ImproperlyConfigured if nobody takes referrals: a refer answer nobody sees would be a
    safety failure, so it must fail loudly (and roll the answers back) instead.
    """
    if not _handlers:
        raise ImproperlyConfigured("No app takes clinical-review referrals (is the callbacks app installed?).")
    return _handlers[-1](referral)
