"""What the two outboxes (texts in `clinic.sms`, email in `clinic.mail`) do the same way.

Both write a row in the caller's transaction and send it after commit from a Celery task that
retries transient failures; the pieces that are really the same live here so they cannot drift.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable
from datetime import datetime, timedelta

from django.conf import settings
from django.db import models, transaction
from django.template import Engine

logger = logging.getLogger(__name__)

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
