"""What the two outboxes (texts in `clinic.sms`, email in `clinic.mail`) do the same way.

Both write a row in the caller's transaction and send it after commit from a Celery task that
retries transient failures; the pieces that are really the same live here so they cannot drift.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable
from contextvars import ContextVar
from datetime import datetime, timedelta
from functools import partial

from django.conf import settings
from django.core.signals import request_finished, request_started
from django.db import models, transaction
from django.template import Engine

logger = logging.getLogger(__name__)

# Per web request: the send tasks to queue once its response has gone (`enqueue_after_commit`).
_after_response: ContextVar[list[Callable[[], object]] | None] = ContextVar("outbox_after_response", default=None)

_text_engine: Engine | None = None


def text_template_engine() -> Engine:
    """The project's template directories with autoescaping off, for plain text (a text message,
    an email's text part): 'O'Brien' must not become 'O&#x27;Brien'."""
    global _text_engine
    if _text_engine is None:
        _text_engine = Engine(dirs=[str(d) for d in settings.TEMPLATES[0]["DIRS"]], app_dirs=True, autoescape=False)
    return _text_engine


def backoff(attempt: int, *, base: float, cap: float) -> float:
    """Seconds before retry number `attempt`: exponential (base * 2^(attempt-1), at most `cap`)
    with jitter, half the step fixed and half random, so retries after an outage spread out."""
    step = min(cap, base * 2 ** (attempt - 1))
    return step / 2 + random.uniform(0, step / 2)


def enqueue_after_commit(enqueue: Callable[[int], bool], pk: int) -> None:
    """Queue row `pk`'s send task (`enqueue(pk)`) once the caller's transaction commits, and in a
    web request once its response has gone too.

    Publishing a task to Redis costs about a millisecond (mostly Celery building the message) and a
    booking queues two: the patient need not wait for them. The row is committed and leased
    either way, so a process that dies before queueing loses nothing: the relay queues the row
    when its lease runs out, as it does when the broker is down.
    """
    transaction.on_commit(partial(_after_the_response, partial(enqueue, pk)))


def _after_the_response(call: Callable[[], object]) -> None:
    pending = _after_response.get()
    if pending is None:  # a worker, a command: no response to wait for
        call()
    else:
        pending.append(call)


def _start_request(**kwargs) -> None:
    _after_response.set([])


def _finish_request(**kwargs) -> None:
    # Django sends request_finished when the server closes the response, after its last byte
    # was written (gunicorn's sync worker, the development and test servers alike).
    pending = _after_response.get()
    _after_response.set(None)
    for call in pending or ():
        try:
            call()
        except Exception:
            # The response has gone: nothing to tell the visitor, and the row is safe.
            logger.exception("Could not queue a send task after the response; the relay will queue it")


request_started.connect(_start_request, dispatch_uid="clinic.core.outbox.start")
request_finished.connect(_finish_request, dispatch_uid="clinic.core.outbox.finish")


def relay(
    *,
    model: type[models.Model],
    due: models.QuerySet,
    enqueue: Callable[[int], bool],
    lease: timedelta,
    now: datetime,
    what: str,
    batch_size: int,
    max_batches: int,
) -> int:
    """Queue a send task (`enqueue(pk)`, False when the broker is down) for every row of `due`.

    First marks rows stuck in `sending` past their lease (their worker died mid-send) as unknown:
    never resent blindly. Rows are taken with SELECT ... FOR UPDATE SKIP LOCKED and leased in the
    same transaction, so two relays running at once take different rows. Returns how many rows
    were queued; `what` names a row in the log and the stuck rows' message ("text", "email").
    """
    stuck = model.objects.filter(status=model.Status.SENDING, lease_until__lt=now).update(
        status=model.Status.UNKNOWN,
        lease_until=None,
        error_message=f"The worker stopped while sending; the {what} may or may not have gone out.",
        updated_at=now,
    )
    if stuck:
        logger.warning("Marked %d %s rows stuck in sending as unknown", stuck, what)
    queued, seen = 0, []
    for _ in range(max_batches):
        with transaction.atomic():
            ids = list(
                due.exclude(pk__in=seen)
                .order_by("due_at", "pk")
                .select_for_update(skip_locked=True)
                .values_list("pk", flat=True)[:batch_size]
            )
            model.objects.filter(pk__in=ids).update(lease_until=now + lease)
        seen += ids
        for pk in ids:
            if not enqueue(pk):
                return queued  # the broker is down; every row left is still due for next time
            queued += 1
        if len(ids) < batch_size:
            break
    return queued
