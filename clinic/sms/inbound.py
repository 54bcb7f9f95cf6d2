"""Texts patients send us: stored once, acted on once, answered through the outbox.

The SMS subsystem knows no domain model, so it only does what is about texting itself: storing
each text (`IncomingText`), the opt-out keywords (STOP / START, kept as `TextConsent` records)
and not answering what the provider has already answered. What a text *means* is up to the apps,
which register from their `AppConfig.ready()`:

- `register_contact_lookup(fn)`: fn(phone) -> the person that number belongs to, or None
  (bookings: the patient).
- `register(handler, order=n)`: handler(text, words) -> `Outcome` or None to pass it on; tried in
  `order` (bookings: Y to confirm, C to cancel).
- `register_fallback(handler)`: the last resort, for anything no handler took and for outcomes
  that ask for reception (`Outcome.refer`): handler(text, note) -> `Outcome` (callbacks: a
  "text from patient" callback request, so nothing a patient writes is lost).

Replies are outbox rows (`queue_sms(in_reply_to=...)`, sent at any hour), written in the same
transaction as the text and what it did, rather than TwiML in the webhook's answer: they are
logged, delivery is tracked and retried like every other text (design rule 4), and the webhook
answers Twilio at once with an empty TwiML document whatever happens.

Twilio answers its own keywords itself: STOP, STOPALL, UNSUBSCRIBE, END, QUIT, REVOKE, OPTOUT and
CANCEL (opt out), START, UNSTOP and YES (opt back in), HELP and INFO. With Advanced Opt-Out on a
Messaging Service it says so in the webhook (`OptOutType`) and CANCEL and YES can be taken off its
lists, so that they reach us as answers to a reminder; without it we go by Twilio's default list
(`TWILIO_ADVANCED_OPT_OUT` says which). Either way we never answer what Twilio answered, so a
patient never gets two replies.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import IncomingText, TextConsent
from .services import queue_sms

logger = logging.getLogger(__name__)

STOP, START, HELP = "STOP", "START", "HELP"
OPT_OUT_WORDS = {"STOP", "STOPALL", "STOP ALL", "UNSUBSCRIBE", "END", "QUIT", "REVOKE", "OPTOUT", "OPT OUT"}
OPT_IN_WORDS = {"START", "UNSTOP"}
HELP_WORDS = {"HELP", "INFO"}
# Twilio's default keyword lists, which also hold two answers patients give us (CANCEL, YES).
TWILIO_DEFAULT_KEYWORDS = (
    dict.fromkeys(OPT_OUT_WORDS | {"CANCEL"}, STOP)
    | dict.fromkeys(OPT_IN_WORDS | {"YES"}, START)
    | dict.fromkeys(HELP_WORDS, HELP)
)

# Twilio retries a webhook within seconds (connection overrides, at most a few minutes). The same
# signed request arriving later than this can only be a replay by someone who captured it.
RETRY_WINDOW = timedelta(minutes=10)


@dataclass(frozen=True)
class Reply:
    """A text to send back: the template `kind` rendered with `context`."""

    kind: str
    context: dict


@dataclass(frozen=True)
class Outcome:
    """What a handler did with a text, in words for the log (`action`, `detail`).

    `reply` is sent unless the provider already answered the text; `about` is what it acted on;
    `refer` (a note for reception) also hands the text to the fallback, whose own reply is then
    not sent.
    """

    action: str
    detail: str = ""
    reply: Reply | None = None
    about: object | None = None
    refer: str = ""


Handler = Callable[[IncomingText, str], Outcome | None]
_handlers: list[tuple[int, Handler]] = []
_fallbacks: list[Callable[[IncomingText, str], Outcome]] = []
_contact_lookups: list[Callable] = []


def register(handler: Handler, *, order: int = 100) -> None:
    """Add a handler; handlers run in `order` until one returns an Outcome."""
    if all(existing is not handler for _, existing in _handlers):
        _handlers.append((order, handler))
        _handlers.sort(key=lambda pair: pair[0])


def register_fallback(handler) -> None:
    """Set the last resort for texts no handler took, and for outcomes that refer to reception."""
    if handler not in _fallbacks:
        _fallbacks.append(handler)


def register_contact_lookup(lookup) -> None:
    """Add a function phone -> the person that number belongs to (or None)."""
    if lookup not in _contact_lookups:
        _contact_lookups.append(lookup)


def words_of(body: str) -> str:
    """The text as capital words without punctuation: " Yes! " -> "YES", "c." -> "C"."""
    return " ".join(re.sub(r"[^A-Za-z0-9 ]+", " ", body or "").upper().split())


def provider_keyword(*, words: str, opt_out_type: str = "") -> str:
    """STOP, START or HELP if the provider answered this text itself, else ""."""
    if opt_out_type:
        return opt_out_type.strip().upper()[:8]
    if settings.TWILIO_ADVANCED_OPT_OUT:
        return ""  # Twilio would have said so
    return TWILIO_DEFAULT_KEYWORDS.get(words, "")


@dataclass(frozen=True)
class Received:
    text: IncomingText
    duplicate: bool = False  # the same MessageSid again: nothing was done a second time
    replay: bool = False  # ... and long after the first: a replay rather than Twilio retrying


def receive_text(*, message_sid: str, sender, to: str = "", body: str = "", opt_out_type: str = "") -> Received:
    """Store a text a patient sent and act on it, once per `message_sid`.

    In one transaction: the `IncomingText`, what its handler did (a confirmation, a cancellation,
    a callback request, a consent record) and the reply, an outbox row. A MessageSid seen before
    changes nothing (`duplicate`; `replay` when it is older than a retry could be). A handler that
    fails is rolled back on its own and the text goes to reception instead, so nothing is lost.
    """
    for attempt in range(2):
        existing = IncomingText.objects.filter(message_sid=message_sid).first()
        if existing is not None:
            return Received(existing, duplicate=True, replay=timezone.now() - existing.received_at > RETRY_WINDOW)
        try:
            with transaction.atomic():
                text = IncomingText.objects.create(message_sid=message_sid, sender=sender, to=to[:32], body=body)
                _act(text, opt_out_type=opt_out_type)
            return Received(text)
        except IntegrityError:
            # The same text arrived twice at once (a retry overtaking a slow first request): the
            # unique MessageSid let one through; answer the other as a duplicate.
            if attempt:
                raise
    raise AssertionError("unreachable")


def _act(text: IncomingText, *, opt_out_type: str) -> None:
    words = words_of(text.body)
    text.provider_keyword = provider_keyword(words=words, opt_out_type=opt_out_type)
    text.contact = _contact_for(text.sender)
    keyword = text.provider_keyword or _own_keyword(words)
    if keyword == STOP:
        outcome = _opt_out(text, words)
    elif keyword == START:
        if TextConsent.objects.opted_out(text.sender):
            # Only a change is a consent record: YES is Twilio's opt-in word but mostly means "I'm coming".
            _record_consent(text, opted_out=False)
        # YES is Twilio's opt-in word and also how patients confirm: do both (Twilio answered).
        handled = None if words in OPT_IN_WORDS else _handle(text, words)
        outcome = _combined("Opted back in to reminders and offers", handled)
    elif keyword == HELP:
        outcome = _refer(text, Outcome("Asked for help", refer="Texted HELP: the provider sent its help text."))
    else:
        outcome = _handle(text, words) or _fallback(text, "")
    if outcome.refer:
        outcome = _refer(text, outcome)
    text.action = outcome.action[:80]
    text.detail = outcome.detail
    text.about = outcome.about
    text.save()
    if outcome.reply and not text.provider_keyword:
        queue_sms(
            kind=outcome.reply.kind,
            to=text.sender,
            context=outcome.reply.context,
            about=outcome.about,
            in_reply_to=text,
        )


def _own_keyword(words: str) -> str:
    if words in OPT_OUT_WORDS:
        return STOP
    if words in OPT_IN_WORDS:
        return START
    return HELP if words in HELP_WORDS else ""


def _contact_for(number):
    for lookup in _contact_lookups:
        if (contact := lookup(number)) is not None:
            return contact
    return None


def _record_consent(text: IncomingText, *, opted_out: bool) -> TextConsent:
    return TextConsent.objects.create(
        phone=text.sender,
        opted_out=opted_out,
        at=text.received_at,
        how=f'Texted "{text.body.strip()[:60]}"',
        incoming=text,
    )


def _opt_out(text: IncomingText, words: str) -> Outcome:
    _record_consent(text, opted_out=True)
    outcome = Outcome("Opted out of reminders and offers")
    if words not in OPT_OUT_WORDS:
        # CANCEL, which Twilio took as STOP: the number is now blocked, so we cannot ask what they
        # meant by text. Cancel nothing, and let reception phone them.
        outcome = Outcome(
            outcome.action,
            refer=f'Texted "{text.body.strip()[:60]}", which the text provider took as STOP. '
            "Phone them to check whether they want to cancel an appointment.",
        )
    return outcome


def _handle(text: IncomingText, words: str) -> Outcome | None:
    for _, handler in list(_handlers):
        try:
            with transaction.atomic():
                outcome = handler(text, words)
        except Exception:
            logger.exception("Handler %s failed on incoming text %s", getattr(handler, "__name__", handler), text.pk)
            return Outcome("Could not be handled automatically", refer="The system could not act on this text.")
        if outcome is not None:
            return outcome
    return None


def _fallback(text: IncomingText, note: str) -> Outcome:
    for handler in _fallbacks:
        try:
            with transaction.atomic():
                return handler(text, note)
        except Exception:
            logger.exception("Fallback for incoming text %s failed", text.pk)
            return Outcome("Stored, but could not be passed to reception")
    return Outcome("Stored (nothing handles incoming texts)")


def _refer(text: IncomingText, outcome: Outcome) -> Outcome:
    """Hand the text to reception too; the first outcome's reply, if any, is the one sent."""
    referred = _fallback(text, outcome.refer)
    return Outcome(
        action=f"{outcome.action}; {referred.action[:1].lower()}{referred.action[1:]}",
        detail="\n".join(part for part in (outcome.detail, referred.detail) if part),
        reply=outcome.reply or referred.reply,
        about=outcome.about or referred.about,
    )


def _combined(first: str, then: Outcome | None) -> Outcome:
    if then is None:
        return Outcome(first)
    return Outcome(
        action=f"{first}; {then.action[:1].lower()}{then.action[1:]}",
        detail=then.detail,
        reply=then.reply,
        about=then.about,
        refer=then.refer,
    )
