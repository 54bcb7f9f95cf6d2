"""Fixtures for the booking flow's tests: the patient's choices as the pages send them."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from bookings import tokens
from bookings.forms import format_start
from bookings.models import Patient
from bookings.services import create_booking
from clinic.core.models import ClinicSettings
from tests.conftest import at


@pytest.fixture
def clinic_settings(db):
    """The settings row, as any real clinic has it, and cached (its first load inserts the row,
    which bumps the version it is cached under, so the load after is the first one cached)."""
    ClinicSettings.load()
    return ClinicSettings.load()


@pytest.fixture
def booking_day(next_monday):
    """A Monday a week or more ahead: inside the minimum notice and the horizon."""
    return next_monday


def choice(length, therapist=None) -> dict:
    return {"length": str(length.pk), "therapist": str(therapist.pk) if therapist else "any"}


def slot(length, therapist, start) -> dict:
    return choice(length, therapist) | {"start": format_start(start)}


def details(length, therapist, start, **overrides) -> dict:
    """A details form as a patient fills it in, with a fresh one-time token."""
    data = slot(length, therapist, start) | {
        "token": tokens.new_idempotency_token(),
        "name": "Robin Patient",
        "phone": "07700 900456",
        "email": "robin@example.com",
        "note": "Tight calves after running.",
        "none_apply": "on",  # "No to all of these" (the health questions)
        "consent_health": "on",
        "consent_privacy": "on",
        "consent_cancellation": "on",
        "website": "",
    }
    return data | overrides


@pytest.fixture
def recheck_misses_the_clash(monkeypatch):
    """Forces the race the lock cannot see: the booking service's re-check reports every
    candidate free, so the insert reaches PostgreSQL's exclusion constraint, as it would if
    another writer slipped past the lock. Nothing else is faked."""
    from bookings.services import booking

    monkeypatch.setattr(booking, "free_therapists_at", lambda ids, *args, **kwargs: list(ids))


# --- the wait list (see wait_list_support.py) ----------------------------------------------------


@pytest.fixture
def monday_afternoon(time_machine):
    time_machine.move_to(datetime(2030, 1, 7, 14, 0, tzinfo=ZoneInfo("Europe/London")), tick=False)


@pytest.fixture
def booked_wednesday(lengths, alice, db):
    """Alice's 10:00-10:45 on Wednesday 9 Jan 2030, booked by another patient (no texts)."""
    other = Patient.objects.create(name="Olive Other", phone="+447700900321")
    return create_booking(
        length=lengths[45], start=at(date(2030, 1, 9), "10:00"), patient=other, therapist=alice, notify_patient=False
    )
