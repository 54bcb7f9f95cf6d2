"""Writing and sending email outbox rows.

The same shape as the SMS outbox (clinic/sms/services.py): the row is written in the transaction
of the event that causes it; after commit a Celery task takes its id, claims it under a row lock
(status queued -> sending, so a second run finds nothing to do), sends it through Django's email
backend outside any transaction, and records the outcome. Transient SMTP failures are retried
with backoff; a relay run by beat re-queues rows whose task never ran (Redis down, worker lost).
A row marked sent is never sent again, and one whose worker died mid-send is marked unknown,
never sent again automatically (docs/email.md).
"""

from __future__ import annotations

import logging
import smtplib
import socket
from dataclasses import dataclass
from datetime import timedelta
from email.message import Message as MimeHeader
from email.mime.text import MIMEText
from email.utils import make_msgid

import requests
from anymail.exceptions import AnymailError, AnymailRecipientsRefused, AnymailRequestsAPIError
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template import Context
from django.template.loader import render_to_string
from django.utils import timezone
from urllib3.exceptions import NewConnectionError

from clinic.core.models import ClinicSettings
from clinic.core.outbox import backoff, enqueue_after_commit, relay, text_template_engine

from .models import Email

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Attachment:
    """A text attachment, such as an .ics invitation (`text/calendar; method=REQUEST`)."""

    name: str
    content_type: str
    content: str


# --- writing ------------------------------------------------------------------------------------


def render_email(kind: str, context: dict) -> tuple[str, str, str]:
    """Subject, text and HTML of `templates/email/<kind>_subject.txt`, `<kind>.txt` and
    `<kind>.html`, with `clinic` added to `context`. The text parts are not HTML-escaped."""
    context = {"clinic": ClinicSettings.load(), **context}
    engine = text_template_engine()
    subject = engine.get_template(f"email/{kind}_subject.txt").render(Context(context, autoescape=False))
    text = engine.get_template(f"email/{kind}.txt").render(Context(context, autoescape=False))
    html = render_to_string(f"email/{kind}.html", context)
    lines = [line.rstrip() for line in text.strip().splitlines()]
    tidy = "\n".join(line for i, line in enumerate(lines) if line or (i and lines[i - 1]))
    return " ".join(subject.split())[:200], tidy + "\n", html


def _lease() -> timedelta:
    return timedelta(seconds=settings.EMAIL_RELAY_LEASE_SECONDS)


def queue_email(*, kind: str, to: str, context: dict, about=None, attachments=()) -> Email:
    """Write an email to the outbox, to go now; it is sent after the caller's transaction commits.

    Renders `templates/email/<kind>…` with `context` plus `clinic` (see `render_email`); `about`
    is the object the email is about (kept generically, for the admin and so the email goes when
    the object is deleted); `attachments` are `Attachment`s. Never raises because Redis is down:
    the row stays queued and the relay sends it later.
    """
    subject, text, html = render_email(kind, context)
    now = timezone.now()
    email = Email.objects.create(
        kind=kind,
        to=to,
        subject=subject,
        text_body=text,
        html_body=html,
        attachments=[{"name": a.name, "content_type": a.content_type, "content": a.content} for a in attachments],
        about=about,
        due_at=now,
        lease_until=now + _lease(),
        message_id=make_msgid(domain=_sender_domain()),
    )
    enqueue_after_commit(enqueue_send, email.pk)
    return email


def _sender_domain() -> str:
    return settings.DEFAULT_FROM_EMAIL.rpartition("@")[2].strip(" >") or "localhost"


# --- sending ------------------------------------------------------------------------------------


def enqueue_send(email_id: int) -> bool:
    """Queue the send task for one row. On a broker error, log it and leave the row to the relay."""
    from .tasks import send_email

    try:
        # retry=False: fail at once if Redis is down instead of holding a web request.
        send_email.apply_async((email_id,), retry=False)
    except Exception:
        logger.warning("Could not queue email %s; the relay will send it", email_id, exc_info=True)
        Email.objects.filter(pk=email_id, status=Email.Status.QUEUED).update(lease_until=None)
        return False
    return True


@dataclass(frozen=True)
class SendOutcome:
    status: str
    retry_in: float | None = None  # seconds until the next attempt, for a transient failure


class SendFailure(Exception):
    """What went wrong sending, in the outbox's terms (the SMS backends' `SendError` has the same)."""

    def __init__(self, message: str, *, permanent: bool = False, maybe_sent: bool = False):
        super().__init__(message)
        self.message, self.permanent, self.maybe_sent = message, permanent, maybe_sent


def classify(error: Exception) -> SendFailure:
    """Sort an error from the email backend into permanent, transient or unknown outcome.

    The server's own answers are clear: a 5xx refuses for good, a 4xx asks us to come back later,
    and either way the message was not taken. A connection that could not be made (refused, name
    not found, the greeting never came) sent nothing, so it is retried. A connection lost or timed
    out after it was made may have lost the server's "250 OK" to the message: unknown, never resent
    automatically, so a patient never gets the same email twice. A provider's HTTP API
    (django-anymail) is read the same way: see `_provider_failure`.
    """
    if isinstance(error, AnymailError):
        return _provider_failure(error)
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in error.recipients.values()]
        return SendFailure(f"Recipient refused: {error.recipients}", permanent=all(code >= 500 for code in codes))
    if isinstance(error, smtplib.SMTPResponseException):
        detail = error.smtp_error.decode(errors="replace") if isinstance(error.smtp_error, bytes) else error.smtp_error
        return SendFailure(f"SMTP {error.smtp_code}: {detail}", permanent=error.smtp_code >= 500)
    if isinstance(error, (ConnectionRefusedError, socket.gaierror, smtplib.SMTPConnectError)):
        return SendFailure(f"Could not connect to the mail server: {error!r}")
    if isinstance(error, (smtplib.SMTPServerDisconnected, OSError)):
        return SendFailure(f"The connection to the mail server was lost: {error!r}", maybe_sent=True)
    return SendFailure(f"Sending stopped: {error!r}", maybe_sent=True)


def _provider_failure(error: AnymailError) -> SendFailure:
    """A provider's HTTP API: 429 and 5xx ask us to come back later, other answers refuse for
    good; a connection never made sent nothing; a request that got no answer may have gone."""
    if isinstance(error, AnymailRecipientsRefused):
        return SendFailure(f"The provider refused the recipient: {error}", permanent=True)
    if error.status_code is not None:
        status = error.status_code
        return SendFailure(f"The provider answered {status}: {error}", permanent=not (status == 429 or status >= 500))
    if _never_connected(error.__cause__):
        return SendFailure(f"Could not connect to the provider: {error}")
    if isinstance(error, AnymailRequestsAPIError):
        return SendFailure(f"No answer from the provider: {error}", maybe_sent=True)
    return SendFailure(f"The provider cannot send this email: {error}", permanent=True)


def _never_connected(cause) -> bool:
    """Whether requests failed before any byte went out (refused, unknown host, connect timeout)."""
    if isinstance(cause, requests.ConnectTimeout):
        return True
    reason = (
        getattr(cause.args[0], "reason", None) if isinstance(cause, requests.ConnectionError) and cause.args else None
    )
    return isinstance(reason, NewConnectionError)


def _stale_after() -> timedelta:
    """A claimed row not finished by then belongs to a worker that died mid-send (the task's hard
    time limit plus a minute, unless EMAIL_SENDING_STALE_SECONDS says otherwise)."""
    return timedelta(seconds=settings.EMAIL_SENDING_STALE_SECONDS or settings.CELERY_TASK_TIME_LIMIT + 60)


def _claim(email_id: int) -> Email | None:
    """Take a due queued row for this worker: locked, so of two runs only one sees it queued."""
    now = timezone.now()
    with transaction.atomic():
        email = (
            Email.objects.select_for_update(skip_locked=True)
            .filter(pk=email_id, status=Email.Status.QUEUED, due_at__lte=now)
            .first()
        )
        if email is None:
            return None
        email.status = Email.Status.SENDING
        email.attempts += 1
        email.attempted_at = now
        email.lease_until = now + _stale_after()
        email.save(update_fields=["status", "attempts", "attempted_at", "lease_until", "updated_at"])
    return email


def build_message(email: Email) -> EmailMultiAlternatives:
    """The Django email for a row: text, HTML alternative, attachments, the row's Message-ID."""
    message = EmailMultiAlternatives(
        subject=email.subject,
        body=email.text_body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[email.to],
        headers={"Message-ID": email.message_id} if email.message_id else None,
    )
    if email.html_body:
        message.attach_alternative(email.html_body, "text/html")
    for attachment in email.attachments:
        message.attach(_mime_part(**attachment))
    return message


def _mime_part(*, name: str, content_type: str, content: str) -> MIMEText:
    """A text attachment keeping its content type's parameters (`method=REQUEST` tells mail
    clients an .ics is an invitation to act on)."""
    header = MimeHeader()
    header["Content-Type"] = content_type
    part = MIMEText(content, header.get_content_subtype(), "utf-8")
    for key, value in header.get_params()[1:]:
        if key.lower() != "charset":
            part.set_param(key, value)
    part.add_header("Content-Disposition", "attachment", filename=name)
    return part


def send_email_now(*, email_id: int, retry_scheduled: bool = True) -> SendOutcome | None:
    """Claim a due queued email, send it through the email backend, record what happened.

    Returns None if the row was not claimable (already claimed or sent, not due). Outcomes: sent;
    failed (permanent error, or transient ones up to EMAIL_MAX_ATTEMPTS); unknown (it may have
    gone, so it is never resent automatically); queued again with `retry_in` for a transient error.
    """
    email = _claim(email_id)
    if email is None:
        return None
    if not email.to:
        _finish(email, Email.Status.FAILED, error_message="Not sent: the address was removed (privacy erasure).")
        return SendOutcome(Email.Status.FAILED)
    try:
        build_message(email).send()
    except Exception as error:
        return _record_failure(email, classify(error), retry_scheduled=retry_scheduled)
    except BaseException:
        # The task's time limit or a worker shutdown in the middle of the conversation.
        _finish(email, Email.Status.UNKNOWN, error_message="Sending stopped part way; it may have gone out.")
        raise
    _finish(email, Email.Status.SENT, sent_at=timezone.now(), error_message="")
    return SendOutcome(Email.Status.SENT)


def _finish(email: Email, status: str, **fields) -> int:
    """Move a row we claimed on to `status`."""
    fields.setdefault("lease_until", None)
    return Email.objects.filter(pk=email.pk, status=Email.Status.SENDING).update(
        status=status, updated_at=timezone.now(), **fields
    )


def _record_failure(email: Email, failure: SendFailure, *, retry_scheduled: bool) -> SendOutcome:
    error_message = failure.message[:1000]
    if failure.maybe_sent:
        logger.warning("Email %s: outcome unknown: %s", email.pk, failure.message)
        _finish(email, Email.Status.UNKNOWN, error_message=error_message)
        return SendOutcome(Email.Status.UNKNOWN)
    if failure.permanent or email.attempts >= settings.EMAIL_MAX_ATTEMPTS:
        logger.warning("Email %s failed after %d attempt(s): %s", email.pk, email.attempts, failure.message)
        _finish(email, Email.Status.FAILED, error_message=error_message)
        return SendOutcome(Email.Status.FAILED)
    now = timezone.now()
    wait = backoff(
        email.attempts, base=settings.EMAIL_RETRY_BACKOFF_SECONDS, cap=settings.EMAIL_RETRY_BACKOFF_MAX_SECONDS
    )
    due = now + timedelta(seconds=wait)
    # The retry task is expected at `due`; the relay leaves the row to it until a lease after that.
    lease_until = due + _lease() if retry_scheduled else None
    _finish(email, Email.Status.QUEUED, due_at=due, lease_until=lease_until, error_message=error_message)
    return SendOutcome(Email.Status.QUEUED, retry_in=wait)


def relay_due_emails(*, batch_size: int = 100, max_batches: int = 10) -> int:
    """Queue a send task for every due queued row that no task is expected to handle.

    Rows are taken with SELECT ... FOR UPDATE SKIP LOCKED and leased in the same transaction, so
    two relays running at once take different rows. Also marks rows stuck in `sending` (their
    worker died mid-send) as unknown. Returns how many rows were queued.
    """
    now = timezone.now()
    return relay(
        model=Email,
        due=Email.objects.relayable(now),
        enqueue=enqueue_send,
        lease=_lease(),
        now=now,
        what="email",
        batch_size=batch_size,
        max_batches=max_batches,
    )
