"""No personal data in logs: phone numbers and email addresses are masked in every log record.

`PersonalDataFilter` is a plain `logging.Filter`, attached to every handler in `LOGGING`, so it
sees each record once, whichever logger wrote it (ours, Django's, Celery's, a provider's client).
It masks with `clinic.core.reporting.scrub`, the same function that cleans Sentry events and error
emails, so one narrow pattern serves all three: phone numbers (+44 7700 900123, 07700 900123,
020 7946 0018), email addresses, PostgreSQL's "Key (...)=(...)" values and patient-link tokens,
never dates, times, ISO timestamps, UUIDs, amounts or long ids. Names cannot be recognised by a
pattern, so the code never logs them (and never an SMS body or a patient's note).
"""

from __future__ import annotations

import logging
import traceback

from .reporting import scrub

# Attributes every LogRecord has; anything else came in through `extra=` and is masked too.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime"}


class PersonalDataFilter(logging.Filter):
    """Masks the message, its arguments, the traceback and any `extra=` text of each record;
    never drops a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a bad format string: keep what there is, masked
            message = f"{record.msg} {record.args}"
        record.msg, record.args = scrub(message), None
        if record.exc_info:
            # Formatted once here, masked (exception messages quote numbers: Twilio's do); a
            # formatter uses exc_text as it is and does not format exc_info again.
            record.exc_text = scrub("".join(traceback.format_exception(*record.exc_info)).rstrip("\n"))
            record.exc_info = None
        elif record.exc_text:
            record.exc_text = scrub(record.exc_text)
        if record.stack_info:
            record.stack_info = scrub(record.stack_info)
        for key, value in list(vars(record).items()):
            if key not in _STANDARD and isinstance(value, str | dict | list | tuple):
                setattr(record, key, scrub(value))
        return True
