"""The log filter masks phone numbers and email addresses wherever they are in a record (message,
arguments, `extra=`, traceback), with the same `scrub` as error reports, and leaves dates, times,
UUIDs, amounts and ids alone."""

import logging
import sys

import pytest

from clinic.core.logmask import PersonalDataFilter


def _line(msg, *args, exc_info=None, **extra) -> str:
    record = logging.LogRecord("test", logging.WARNING, __file__, 1, msg, args, exc_info)
    record.__dict__.update(extra)
    assert PersonalDataFilter().filter(record) is True
    fmt = "%(message)s" + "".join(f" %({key})s" for key in extra)
    return logging.Formatter(fmt).format(record)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("SMS to %s failed", "SMS to [phone] failed"),
        ("The 'To' number %s is not valid", "The 'To' number [phone] is not valid"),
        ("from %s today", "from [email] today"),
    ],
)
def test_numbers_and_addresses_in_the_arguments_are_masked(text, expected):
    value = "cara.callback+clinic@example.co.uk" if "from" in text else "+44 7400 111222"
    assert _line(text, value) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Slot 2026-07-01 09:00 taken",
        "at 2026-07-01T09:00:00.123456+01:00",
        "request 3f2b8c1e-4d5a-4b6c-9e7f-0a1b2c3d4e5f",
        "£1234.50 for 3 sessions, order 123456789012",
        "SMS 1234 failed after 3 attempt(s)",
    ],
)
def test_dates_times_uuids_and_ids_are_left_alone(text):
    assert _line(text) == text


def test_extras_and_tracebacks_are_masked_too():
    try:
        raise ValueError("SMS to +447400111222 failed")
    except ValueError:
        line = _line("sending %s to %s", "reminder", "07400 111222", exc_info=sys.exc_info(), phone="+447400111222")
    assert "111222" not in line
    assert line.startswith("sending reminder to [phone] [phone]")
    assert "ValueError: SMS to [phone] failed" in line
