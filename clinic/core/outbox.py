"""What the two outboxes (texts in `clinic.sms`, email in `clinic.mail`) do the same way.

Both write a row in the caller's transaction and send it after commit from a Celery task that
retries transient failures; the pieces that are really the same live here so they cannot drift.
"""

from __future__ import annotations

import random

from django.conf import settings
from django.template import Engine

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
