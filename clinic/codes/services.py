"""Texted one-time codes: ask for one for a phone number and a purpose, then check it.

    request_code(phone=..., purpose="my_bookings")       # in the web request; raises CodeError
    verify_code(phone=..., purpose="my_bookings", code="123456")   # returns the code row or raises

The web request writes a row and nothing else, whatever the number: it never asks whether the
number is known. After commit a task (`issue_code`) asks the purpose whether this number may
receive a code; if so it draws six digits, stores their keyed hash and writes the SMS outbox row
in one transaction, otherwise it marks the row withheld. So the page answers the same way, doing
the same work, for a number the clinic knows and one it does not.

A code lasts CODE_LIFETIME and allows MAX_TRIES tries; only the latest code for a number and
purpose counts. Requests per number are limited here, counted in the database
(PHONE_CODE_RATE_PER_NUMBER); requests per client address are the view's business (the cache).
"""

from __future__ import annotations

import logging
import secrets
from datetime import datetime, timedelta
from functools import partial
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.db.models import Value
from django.db.models.functions import Replace
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

from clinic.sms.models import Message
from clinic.sms.services import queue_sms

from . import purposes
from .models import PhoneCode, SmsKind

logger = logging.getLogger(__name__)

CODE_LIFETIME = timedelta(minutes=10)
MAX_TRIES = 5
DIGITS = 6
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


class CodeError(Exception):
    """A code could not be sent or was not accepted; `message` is safe to show to whoever asked.

    `reason` is one of "too_many" (requests for this number), "missing", "wrong", "expired",
    "locked" (MAX_TRIES wrong tries) or "used"; `retry_at` is when a refused request may be tried again.
    """

    def __init__(self, message: str, *, reason: str, tries_left: int | None = None, retry_at: datetime | None = None):
        super().__init__(message)
        self.message = message
        self.reason = reason
        self.tries_left = tries_left
        self.retry_at = retry_at


def parse_rate(rate: str) -> tuple[int, timedelta]:
    """ "3/h", "10/d", "5/15m" -> (count, window), django-ratelimit's syntax."""
    count, period = rate.split("/")
    multiplier = int(period[:-1] or 1)
    return int(count), timedelta(seconds=multiplier * _UNITS[period[-1]])


def _digest(code_id: int, digits: str) -> str:
    return salted_hmac("clinic.codes.PhoneCode", f"{code_id}:{digits}", algorithm="sha256").hexdigest()


# --- asking for a code -------------------------------------------------------------------------


def _refuse_if_over_limit(phone, now: datetime) -> None:
    """Raise `CodeError` if this number has had its share of codes (every purpose counts)."""
    for rate in settings.PHONE_CODE_RATE_PER_NUMBER:
        limit, window = parse_rate(rate)
        recent = list(
            PhoneCode.objects.filter(phone=phone, created_at__gt=now - window)
            .order_by("-created_at")
            .values_list("created_at", flat=True)[:limit]
        )
        if len(recent) >= limit:
            retry_at = recent[-1] + window
            raise CodeError(
                "We have sent several codes to this number recently. "
                f"Please try again after {timezone.localtime(retry_at):%H:%M}.",
                reason="too_many",
                retry_at=retry_at,
            )


def request_code(*, phone, purpose: str) -> PhoneCode:
    """Start a code for `phone` and `purpose` (a registered purpose's name).

    Writes one row in the caller's transaction and, after commit, queues `issue_code` (run in
    process if the broker is down). Does the same whether or not the number will be texted.
    Raises `CodeError` (reason "too_many") past PHONE_CODE_RATE_PER_NUMBER, and ValueError for
    a purpose nobody registered (a programming error).
    """
    if purposes.get(purpose) is None:
        raise ValueError(f"No codes purpose {purpose!r} is registered.")
    now = timezone.now()
    _refuse_if_over_limit(phone, now)
    code = PhoneCode.objects.create(phone=phone, purpose=purpose, expires_at=now + CODE_LIFETIME)
    transaction.on_commit(partial(_enqueue_issue, code.pk))
    return code


def _enqueue_issue(code_id: int) -> None:
    from .tasks import issue_code as issue_code_task

    try:
        issue_code_task.apply_async((code_id,), retry=False)
    except Exception:
        # The person is waiting for the text: with the broker down, issue it here and now.
        logger.warning("Could not queue code %s; issuing it in the request", code_id, exc_info=True)
        issue_code(code_id=code_id)


def issue_code(*, code_id: int) -> PhoneCode | None:
    """Text a code for a waiting row if its purpose lets this number receive one; else withhold it.

    The row is claimed under a row lock, so running twice texts once. A row that has expired or
    has a newer request behind it is withheld too (its code could never be used). The SMS row is
    written in the same transaction as the code's hash and may go at any hour (it was just asked
    for). Returns the row, or None if it was not waiting.
    """
    with transaction.atomic():
        code = PhoneCode.objects.select_for_update().filter(pk=code_id, status=PhoneCode.Status.WAITING).first()
        if code is None:
            return None
        purpose = purposes.get(code.purpose)
        newer = PhoneCode.objects.filter(phone=code.phone, purpose=code.purpose, pk__gt=code.pk).exists()
        if newer or code.expires_at <= timezone.now() or purpose is None or not purpose.may_receive(code.phone):
            code.status = PhoneCode.Status.WITHHELD
            code.save(update_fields=["status"])
            return code
        digits = f"{secrets.randbelow(10**DIGITS):0{DIGITS}d}"
        code.code_hash = _digest(code.pk, digits)
        code.status = PhoneCode.Status.TEXTED
        code.save(update_fields=["code_hash", "status"])
        queue_sms(
            kind=SmsKind.PHONE_CODE,
            to=code.phone,
            context={
                "code": digits,
                "action": purpose.action,
                "minutes": int(CODE_LIFETIME.total_seconds() // 60),
                "host": urlsplit(settings.PUBLIC_BASE_URL).hostname or "",
            },
            about=code,
            any_hour=True,
        )
    return code


# --- checking a code ---------------------------------------------------------------------------


def verify_code(*, phone, purpose: str, code: str) -> PhoneCode:
    """Check `code` against the latest code for `phone` and `purpose`; return its row if right.

    Every try counts, under a row lock, so concurrent guesses cannot exceed MAX_TRIES; the right
    code is accepted once. A used code's digits are blanked in the SMS log. Raises `CodeError`:
    "missing" (none asked for), "used", "expired", "locked" (MAX_TRIES wrong tries, even if this
    one is right) or "wrong" (with `tries_left`).
    """
    digits = "".join(code.split())
    now = timezone.now()
    with transaction.atomic():
        row = PhoneCode.objects.select_for_update().filter(phone=phone, purpose=purpose).order_by("-pk").first()
        refusal = _refusal(row, now)
        if refusal is None:
            row.attempts += 1
            right = row.code_hash and constant_time_compare(row.code_hash, _digest(row.pk, digits))
            if right:
                row.used_at = now
            row.save(update_fields=["attempts", "used_at"])
            if right:
                Message.objects.about(row).update(body=Replace("body", Value(digits), Value("[used]")))
                return row
            refusal = _wrong(MAX_TRIES - row.attempts)
    raise refusal


def _refusal(row: PhoneCode | None, now: datetime) -> CodeError | None:
    ask_again = "Please ask for a new code."
    if row is None:
        return CodeError("Please ask for a code first.", reason="missing")
    if row.used_at:
        return CodeError(f"That code has already been used. {ask_again}", reason="used")
    if row.expires_at <= now:
        minutes = int(CODE_LIFETIME.total_seconds() // 60)
        return CodeError(f"That code has expired (codes last {minutes} minutes). {ask_again}", reason="expired")
    if row.attempts >= MAX_TRIES:
        return CodeError(f"That code has been tried too many times. {ask_again}", reason="locked", tries_left=0)
    return None


def _wrong(tries_left: int) -> CodeError:
    if tries_left <= 0:
        return CodeError(
            "That code is not right, and that was the last try. Please ask for a new code.",
            reason="locked",
            tries_left=0,
        )
    tries = "1 more try" if tries_left == 1 else f"{tries_left} more tries"
    return CodeError(
        f"That code is not right. Please check the text and try again ({tries}).",
        reason="wrong",
        tries_left=tries_left,
    )


# --- retention ---------------------------------------------------------------------------------


def purge_old_codes(*, now: datetime | None = None) -> int:
    """Delete code rows (and the texts that carried them) older than PHONE_CODE_RETENTION_HOURS.

    A code is worthless ten minutes after it was asked for; the rows are kept a little longer
    only to count requests per number and to answer "did my code get sent?". Returns how many.
    """
    cutoff = (now or timezone.now()) - timedelta(hours=settings.PHONE_CODE_RETENTION_HOURS)
    deleted, by_model = PhoneCode.objects.filter(created_at__lt=cutoff).delete()
    return by_model.get(PhoneCode._meta.label, 0)
