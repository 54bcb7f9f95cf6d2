"""The public booking pages as a patient's browser asks for them: shared by `bench/run.py`
(in-process, Django's test client) and `bench/http_load.py` (real HTTP against gunicorn).

- `panel_times(html)`: the start times a day/time panel offers, to check against
  `workload.free_starts` before anything is timed.
- `booking_form(...)`: the details form a patient submits (`POST /book/details/`), built the way
  the booking tests build it (tests/bookings/conftest.py `details()`: a fresh one-time token, the
  health questions answered "none of these", the consents ticked), so the bench books exactly
  what a patient would.
"""

from __future__ import annotations

import re
from datetime import time
from urllib.parse import unquote

_START = re.compile(r'href="[^"]*/book/details/\?[^"]*start=([0-9-]+T[0-9]{2}%3A[0-9]{2})')


def panel_times(html: str) -> list[time]:
    """The start times offered on a day/time panel (step 3), as wall times, in page order."""
    out = []
    for value in _START.findall(html):
        hh_mm = unquote(value).split("T", 1)[1]
        out.append(time(int(hh_mm[:2]), int(hh_mm[3:5])))
    return out


def booking_form(length, therapist, start, *, phone: str, name: str = "Bench Patient") -> dict:
    """A details form as a patient fills it in (see the module's docstring)."""
    from bookings import tokens
    from bookings.forms import format_start

    return {
        "length": str(length.pk),
        "therapist": str(therapist.pk) if therapist else "any",
        "start": format_start(start),
        "token": tokens.new_idempotency_token(),
        "name": name,
        "phone": phone,
        "email": "bench@example.com",
        "note": "",
        "none_apply": "on",  # "No to all of these" (the health questions)
        "consent_health": "on",
        "consent_privacy": "on",
        "consent_cancellation": "on",
        "website": "",  # the honeypot, left empty as a person leaves it
    }


def bench_phone(n: int) -> str:
    """A distinct UK mobile per booking, outside the seeded patients' +447700900000-900199 (a
    booking under a seeded patient's number would be theirs, and clash with their diary)."""
    return f"07700 8{n:05d}"
