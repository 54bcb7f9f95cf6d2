"""Writing, sending and tracking SMS outbox rows.

Every text is a row first, written in the transaction of the event that causes it (design rule 4).
After commit a Celery task takes the row's id, claims it with one conditional UPDATE (so two
workers can never both send it), calls the backend outside any transaction, and records the
outcome. A relay run by beat re-queues due rows whose task never ran (Redis down, worker lost).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.template import Context
from django.urls import reverse
from django.utils import timezone

from clinic.core.models import ClinicSettings
from clinic.core.outbox import backoff, enqueue_after_commit, relay, text_template_engine

from . import gsm, kinds
from .backends import SendError, get_backend
from .models import Message, TextConsent
from .quiet_hours import in_quiet_hours, next_allowed

logger = logging.getLogger(__name__)

MAX_SEGMENTS = 2

# How far each status is along the way; a status report never moves a message backwards.
STATUS_RANK = {
    Message.Status.PENDING: 0,
    Message.Status.SENDING: 1,
    Message.Status.UNKNOWN: 1,
    Message.Status.SENT: 2,
    Message.Status.DELIVERED: 3,
    Message.Status.UNDELIVERED: 3,
    Message.Status.FAILED: 3,
    Message.Status.CANCELLED: 9,
}

# Twilio's MessageStatus values. Anything Twilio holds counts as sent: if we had marked the
# message unknown (a read timeout), this tells us it did reach Twilio.
TWILIO_STATUSES = {
    "accepted": Message.Status.SENT,
    "scheduled": Message.Status.SENT,
    "queued": Message.Status.SENT,
    "sending": Message.Status.SENT,
    "sent": Message.Status.SENT,
    "delivered": Message.Status.DELIVERED,
    "read": Message.Status.DELIVERED,
    "undelivered": Message.Status.UNDELIVERED,
    "failed": Message.Status.FAILED,
    "canceled": Message.Status.FAILED,
}

# Delivery error codes reception is likely to see, in words they can act on.
TWILIO_DELIVERY_ERRORS = {
    "30003": "The phone was switched off or out of signal.",
    "30004": "The recipient has blocked texts from the clinic.",
    "30005": "The number does not exist.",
    "30006": "The number is a landline or cannot receive texts.",
    "30007": "The carrier filtered the message.",
    "30008": "The carrier reported an unknown error.",
}


class SMSError(Exception):
    """An SMS action could not be done; `message` is safe to show to staff."""

    def __init__(self, message: str):
        self.message = message
        super().__init__(message)


# --- writing ------------------------------------------------------------------------------------


def render_sms(kind: str, context: dict, *, shorter: Sequence[Mapping] = ()) -> str:
    """Render `templates/sms/<kind>.txt` (with `clinic` added), tidy whitespace, make it GSM-7.

    While the text is longer than MAX_SEGMENTS, each of `shorter`'s changes to the context is
    applied in turn (adding to the ones before) and the text rendered again: a first name for a
    full name, say, then no link. Only a text that still does not fit is logged (by its kind and
    length, never its words)."""
    body = _render(kind, context)
    for change in shorter:
        if gsm.segments(body) <= MAX_SEGMENTS:
            break
        context = {**context, **change}
        body = _render(kind, context)
    if gsm.segments(body) > MAX_SEGMENTS:
        # Never fail the booking over a long text; the templates' tests keep this from happening.
        logger.warning("SMS %s is %d segments long", kind, gsm.segments(body))  # never the text itself
    return body


def _render(kind: str, context: dict) -> str:
    context = {"clinic": ClinicSettings.load(), **context}
    text = text_template_engine().get_template(f"sms/{kind}.txt").render(Context(context, autoescape=False))
    lines = [" ".join(line.split()) for line in text.strip().splitlines()]
    tidy = "\n".join(line for i, line in enumerate(lines) if line or (i and lines[i - 1]))
    return gsm.to_gsm7(tidy)


def _lease() -> timedelta:
    return timedelta(seconds=settings.SMS_RELAY_LEASE_SECONDS)


def _write(**fields) -> Message:
    """Create the row in the caller's transaction; queue its send after commit if it is due now."""
    now = timezone.now()
    due = fields.pop("due_at", None) or now
    if not fields.get("any_hour"):
        due = next_allowed(due)
    due_now = due <= now
    message = Message.objects.create(due_at=due, lease_until=now + _lease() if due_now else None, **fields)
    if due_now:
        enqueue_after_commit(enqueue_send, message.pk)
    return message


def queue_sms(
    *,
    kind: str,
    to,
    context: dict,
    shorter: Sequence[Mapping] = (),
    about=None,
    due_at: datetime | None = None,
    any_hour: bool = False,
    in_reply_to=None,
) -> Message:
    """Write an SMS to the outbox, to go at `due_at` (default now), moved out of quiet hours.

    Renders `templates/sms/<kind>.txt` with `context` plus `clinic` (and `shorter`'s changes if it
    would not fit: `render_sms`); `about` is the object the text
    is about (kept generically, for the SMS log and so the text goes when the object is deleted).
    `any_hour` is for a text the recipient has just asked for (a one-time code): it ignores quiet
    hours, when written and when sent. The row is written in the caller's transaction; if it is due
    now, its send task is queued when that transaction commits. Never raises because Redis is down:
    the row stays pending and the relay sends it later. An answer to a text the patient has just
    sent (`in_reply_to`, an `IncomingText`) is linked to it and goes at any hour too: they are
    awake and waiting for it.
    """
    return _write(
        kind=kind,
        to=to,
        body=render_sms(kind, context, shorter=shorter),
        about=about,
        due_at=due_at,
        any_hour=any_hour or in_reply_to is not None,
        in_reply_to=in_reply_to,
    )


def resend_message(*, message: Message, by_user=None) -> Message:
    """Send the same text again as a new row (the old one keeps its history).

    Raises `SMSError` if the message has not been tried yet (pending or sending), or if its
    wording was removed (retention, erasure).
    """
    if message.status in (Message.Status.PENDING, Message.Status.SENDING):
        raise SMSError("That message is still waiting to be sent.")
    if message.redacted_at:
        raise SMSError("That message's wording was removed (privacy retention), so it cannot be sent again.")
    with transaction.atomic():
        return _write(
            kind=message.kind,
            to=message.to,
            body=message.body,
            about_type_id=message.about_type_id,
            about_id=message.about_id,
            resent_from=message,
            resent_by=by_user,
            any_hour=message.any_hour,
        )


def cancel_pending(queryset) -> int:
    """Cancel the pending messages in `queryset`; a row a worker has already claimed is left alone."""
    return queryset.filter(status=Message.Status.PENDING).update(
        status=Message.Status.CANCELLED, lease_until=None, updated_at=timezone.now()
    )


# --- sending ------------------------------------------------------------------------------------


def enqueue_send(message_id: int) -> bool:
    """Queue the send task for one row. On a broker error, log it and leave the row to the relay."""
    from .tasks import send_message

    try:
        # retry=False: fail at once if Redis is down instead of holding a web request.
        send_message.apply_async((message_id,), retry=False)
    except Exception:
        logger.warning("Could not queue SMS %s; the relay will send it", message_id, exc_info=True)
        Message.objects.filter(pk=message_id, status=Message.Status.PENDING).update(lease_until=None)
        return False
    return True


def status_callback_url(message: Message) -> str:
    """Where Twilio reports delivery: the public address, since Twilio calls it from outside."""
    return settings.PUBLIC_BASE_URL.rstrip("/") + reverse("sms:status", args=[message.callback_token])


@dataclass(frozen=True)
class SendOutcome:
    status: str
    retry_in: float | None = None  # seconds until the next attempt, for a transient failure


def _backoff(attempt: int) -> float:
    return backoff(attempt, base=settings.SMS_RETRY_BACKOFF_SECONDS, cap=settings.SMS_RETRY_BACKOFF_MAX_SECONDS)


def _stale_after() -> timedelta:
    """A claimed row not finished by then belongs to a worker that died mid-send (by default a
    minute past the task's hard time limit; SMS_SENDING_STALE_SECONDS shortens it, e.g. for the
    rehearsal)."""
    return timedelta(seconds=settings.SMS_SENDING_STALE_SECONDS or settings.CELERY_TASK_TIME_LIMIT + 60)


def send_message_now(*, message_id: int, retry_scheduled: bool = True) -> SendOutcome | None:
    """Claim a due pending message, send it through the backend, record what happened.

    Returns None if the row was not claimable (already claimed, cancelled, not due, or it is quiet
    hours and the text is not an any-hour one, in which case its due time moves to the end of
    them). Outcomes: sent; failed (permanent error, or transient errors up to SMS_MAX_ATTEMPTS);
    unknown (the request may have gone out, so it is never resent automatically); pending again
    with `retry_in` for a transient error.
    """
    now = timezone.now()
    if in_quiet_hours(now):
        Message.objects.filter(pk=message_id, status=Message.Status.PENDING, any_hour=False).update(
            due_at=next_allowed(now), lease_until=None
        )
    if _withhold_if_opted_out(message_id, now):
        return None
    # One UPDATE ... WHERE status = 'pending': under concurrency PostgreSQL re-checks the condition
    # after the other transaction commits, so exactly one claimer gets the row.
    claimed = (
        Message.objects.allowed_at(now)
        .filter(pk=message_id, status=Message.Status.PENDING, due_at__lte=now)
        .update(
            status=Message.Status.SENDING,
            attempts=F("attempts") + 1,
            attempted_at=now,
            lease_until=now + _stale_after(),
            updated_at=now,
        )
    )
    if not claimed:
        return None
    message = Message.objects.get(pk=message_id)
    try:
        result = get_backend().send(message, status_callback=status_callback_url(message))
    except SendError as error:
        return _record_failure(message, error, retry_scheduled=retry_scheduled)
    except BaseException as error:
        # A bug, or the task's soft time limit in the middle of the request: whether it went out
        # is unknown, so staff decide rather than an automatic resend.
        _finish(message, Message.Status.UNKNOWN, error_message=f"Sending stopped: {error!r}")
        if not isinstance(error, Exception):
            raise
        logger.exception("SMS %s: unexpected error while sending", message_id)
        return SendOutcome(Message.Status.UNKNOWN)
    sent_at = timezone.now()
    _finish(message, Message.Status.SENT, provider_id=result.provider_id, sent_at=sent_at)
    # A status report may have overtaken us; keep its status but record the provider's id.
    Message.objects.filter(pk=message.pk, provider_id="").update(provider_id=result.provider_id, sent_at=sent_at)
    return SendOutcome(Message.Status.SENT)


def _withhold_if_opted_out(message_id: int, now: datetime) -> bool:
    """Cancel an optional text (a reminder, an offer) to a number that replied STOP.

    Checked when the text is due rather than when it is written, so a START before then lets
    it go after all.
    """
    due = Message.objects.filter(pk=message_id, status=Message.Status.PENDING, due_at__lte=now)
    row = due.values("kind", "to").first()
    if row is None or not kinds.is_optional(row["kind"]) or not TextConsent.objects.opted_out(row["to"]):
        return False
    due.update(
        status=Message.Status.CANCELLED,
        lease_until=None,
        error_message="Not sent: this number has opted out of reminders and offers (replied STOP).",
        updated_at=now,
    )
    return True


def _finish(message: Message, status: str, **fields) -> int:
    """Move a row we claimed on to `status`, unless a status report already moved it on."""
    fields.setdefault("lease_until", None)
    return Message.objects.filter(pk=message.pk, status=Message.Status.SENDING).update(
        status=status, updated_at=timezone.now(), **fields
    )


def _record_failure(message: Message, error: SendError, *, retry_scheduled: bool) -> SendOutcome:
    errors = {"error_code": error.code, "error_message": error.message[:1000]}
    if error.maybe_sent:
        logger.warning("SMS %s: outcome unknown: %s", message.pk, error.message)
        _finish(message, Message.Status.UNKNOWN, **errors)
        return SendOutcome(Message.Status.UNKNOWN)
    if error.permanent or message.attempts >= settings.SMS_MAX_ATTEMPTS:
        logger.warning("SMS %s failed after %d attempt(s): %s", message.pk, message.attempts, error.message)
        _finish(message, Message.Status.FAILED, **errors)
        return SendOutcome(Message.Status.FAILED)
    now = timezone.now()
    due = now + timedelta(seconds=_backoff(message.attempts))
    due = due if message.any_hour else next_allowed(due)
    # The retry task is expected at `due`; the relay leaves the row to it until a lease after that.
    lease_until = due + _lease() if retry_scheduled else None
    _finish(message, Message.Status.PENDING, due_at=due, lease_until=lease_until, **errors)
    return SendOutcome(Message.Status.PENDING, retry_in=max((due - now).total_seconds(), 0))


def relay_due_messages(*, batch_size: int | None = None, max_batches: int = 10) -> int:
    """Queue a send task for every due pending row that no task is expected to handle.

    Rows are taken with SELECT ... FOR UPDATE SKIP LOCKED and leased in the same transaction, so
    two relays running at once take different rows. Also marks rows stuck in `sending` (their
    worker died mid-send) as unknown. Returns how many rows were queued.
    """
    now = timezone.now()
    return relay(
        model=Message,
        due=Message.objects.relayable(now).allowed_at(now),
        enqueue=enqueue_send,
        lease=_lease(),
        now=now,
        what="text",
        batch_size=batch_size or settings.SMS_RELAY_BATCH_SIZE,
        max_batches=max_batches,
    )


# --- status reports ----------------------------------------------------------------------------


def record_status_report(*, token: str, status: str, error_code: str = "", provider_id: str = "") -> Message | None:
    """Apply a provider's status report to the message with this callback token.

    Returns None for an unknown token. A report never moves a message backwards (an out-of-order
    `sent` after `delivered` is ignored) and a cancelled message stays cancelled.
    """
    new_status = TWILIO_STATUSES.get((status or "").lower())
    with transaction.atomic():
        message = Message.objects.select_for_update().filter(callback_token=token).first()
        if message is None or new_status is None:
            return message
        if STATUS_RANK[new_status] <= STATUS_RANK[message.status]:
            return message
        message.status = new_status
        if provider_id and not message.provider_id:
            message.provider_id = provider_id[:64]
        if new_status == Message.Status.SENT and not message.sent_at:
            message.sent_at = timezone.now()
        if error_code:
            message.error_code = str(error_code)[:16]
            message.error_message = TWILIO_DELIVERY_ERRORS.get(str(error_code), f"Twilio error {error_code}.")
        message.lease_until = None
        message.save()
    return message
