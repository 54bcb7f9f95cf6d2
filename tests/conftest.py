"""The fixed cast every test can use, and the rules for tests that need real services.

Tests marked `postgres`, `redis` or `browser` are skipped with a reason when the service is not
there (a newcomer's laptop). With REQUIRE_SERVICES=1 (what `.ci/run` sets) a missing service
fails the run instead, and so does any such test that ends up skipped.
"""

import os
import shutil
import socket
from datetime import datetime, time, timedelta
from decimal import Decimal
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.utils import timezone

from bookings.models import Patient, Treatment, TreatmentLength
from therapists.models import Therapist, WorkingHours

# SMS fixtures for every test: sms_outbox, fake_twilio/twilio, celery_live/celery_worker (real Redis);
# smtp_server (a real SMTP server on 127.0.0.1) for email.
pytest_plugins = ("tests.clinic.sms.fixtures", "tests.clinic.mail.fixtures")

# Playwright's sync API runs an event loop in the test thread; Django's ORM then refuses to run
# ("SynchronousOnlyOperation") unless told this is deliberate. Tests only: nothing else runs here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
SERVICE_MARKERS = ("postgres", "redis", "browser")


def _reachable(url: str, default_port: int) -> bool:
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or default_port), timeout=1):
            return True
    except OSError:
        return False


def _missing_services() -> dict[str, str]:
    missing = {}
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        missing["postgres"] = "needs PostgreSQL: set DATABASE_URL (the test command does when 127.0.0.1:5432 answers)"
    if not settings.REDIS_URL or not _reachable(settings.REDIS_URL, 6379):
        missing["redis"] = "needs Redis: set REDIS_URL (the test command does when 127.0.0.1:6379 answers)"
    if not shutil.which(CHROMIUM):
        missing["browser"] = f"needs Chromium at {CHROMIUM} (apt-get install -y chromium)"
    return missing


def pytest_collection_modifyitems(config, items):
    missing = _missing_services()
    needed = {m for item in items for m in SERVICE_MARKERS if item.get_closest_marker(m)}
    if REQUIRE_SERVICES and needed & missing.keys():
        raise pytest.UsageError(
            "REQUIRE_SERVICES=1 but: " + "; ".join(missing[m] for m in sorted(needed & missing.keys()))
        )
    for item in items:
        for marker, reason in missing.items():
            if item.get_closest_marker(marker):
                item.add_marker(pytest.mark.skip(reason=reason))


_skipped_service_tests: list[str] = []


def pytest_runtest_logreport(report):
    if report.skipped and any(m in report.keywords for m in SERVICE_MARKERS):
        _skipped_service_tests.append(report.nodeid)


def pytest_sessionfinish(session, exitstatus):
    if REQUIRE_SERVICES and _skipped_service_tests:
        print("\nREQUIRE_SERVICES=1 but these tests that need a service were skipped:")
        for nodeid in _skipped_service_tests:
            print("  ", nodeid)
        session.exitstatus = 1


# --- the fixed cast ---------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _clean_cache():
    """Rate-limit and lockout counters live in the cache (Redis in CI): start every test clean,
    and with the cache taken as working: a test that pointed it at a dead port leaves this
    process computing everything for the next 5 seconds (`versions.OUTAGE_BACKOFF_SECONDS`),
    which would change the next test's query counts."""
    from django.core.cache import cache

    from clinic.core import versions

    versions.forget_outage()
    cache.clear()
    yield


@pytest.fixture
def unreachable_cache(settings):
    """The shared cache is Redis on a port where nothing listens (Redis down or cut off)."""
    from clinic.core import ratelimits
    from tests.clinic.sms.fixtures import closed_port

    settings.CACHES = {
        "default": {
            "BACKEND": "clinic.core.redis_cache.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{closed_port()}/0",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    ratelimits.fail_open_counts.clear()
    yield
    ratelimits.fail_open_counts.clear()


@pytest.fixture
def client():
    """Django's test client; `force_login` also passes the second factor (tests/otp.py)."""
    from tests.otp import VerifiedClient

    return VerifiedClient()


@pytest.fixture
def tz():
    return timezone.get_current_timezone()


def at(day, hh_mm: str):
    """An aware datetime for a local wall time, e.g. at(date(2030, 1, 7), "09:30")."""
    hour, minute = (int(x) for x in hh_mm.split(":"))
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


@pytest.fixture
def treatment(db):
    return Treatment.objects.create(
        name="Soft tissue release massage", slug="soft-tissue-release", description="Hands-on release of tight muscles."
    )


@pytest.fixture
def lengths(treatment):
    """The standard lengths: 30, 45 and 60 minutes at £40, £55, £70, no buffer."""
    return {
        minutes: TreatmentLength.objects.create(treatment=treatment, minutes=minutes, price=Decimal(price))
        for minutes, price in ((30, "40"), (45, "55"), (60, "70"))
    }


def make_therapist(name: str, *, lengths=(), order: int = 0, hours=None) -> Therapist:
    """A therapist working Mon–Fri 09:00–13:00 and 14:00–17:00 and Sat 09:00–13:00 by default."""
    therapist = Therapist.objects.create(name=name, slug=name.lower().replace(" ", "-"), display_order=order)
    therapist.lengths.set(lengths)
    if hours is None:
        hours = {wd: [("09:00", "13:00"), ("14:00", "17:00")] for wd in range(5)} | {5: [("09:00", "13:00")]}
    WorkingHours.objects.bulk_create(
        WorkingHours(therapist=therapist, weekday=wd, start=time.fromisoformat(s), end=time.fromisoformat(e))
        for wd, ranges in hours.items()
        for s, e in ranges
    )
    return therapist


@pytest.fixture
def alice(lengths):
    return make_therapist("Alice Example", lengths=lengths.values(), order=1)


@pytest.fixture
def ben(lengths):
    return make_therapist("Ben Sample", lengths=lengths.values(), order=2)


@pytest.fixture
def sports_massage(db):
    """A second treatment, as a manager adds one: its 30 minutes cost the same as the standard
    treatment's (£40), so only the treatment's name tells the two apart."""
    sports = Treatment.objects.create(
        name="Sports massage", slug="sports-massage", description="Deep work for training loads.", display_order=1
    )
    return {
        minutes: TreatmentLength.objects.create(treatment=sports, minutes=minutes, price=Decimal(price))
        for minutes, price in ((30, "40"), (60, "65"))
    }


@pytest.fixture
def cara(sports_massage):
    """A therapist who gives sports massage only."""
    return make_therapist("Cara Sports", lengths=sports_massage.values(), order=3)


@pytest.fixture
def patient(db):
    return Patient.objects.create(name="Pat Example", phone="+447700900123", email="pat@example.com")


@pytest.fixture
def manager(db):
    return User.objects.create_user("manager", password="manager-pass-123", is_staff=True, is_superuser=True)


@pytest.fixture
def roles(db):
    """The role groups. The data migration creates them, but a transactional test's flush deletes
    them, so tests that need them ask for this idempotent fixture."""
    from clinic.core.roles import ensure_roles

    return ensure_roles()


@pytest.fixture
def receptionist(roles):
    user = User.objects.create_user("reception", password="reception-pass-123", is_staff=True)
    user.groups.add(roles["Reception"])
    return user


@pytest.fixture
def next_monday():
    """The Monday at least a week from today: comfortably inside notice and horizon."""
    today = timezone.localdate()
    return today + timedelta(days=7 + (7 - today.weekday()) % 7)


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks):
    """on_commit(service, **kwargs): run a service and what it queues after commit (texts, offers)
    as soon as its transaction ends, as in production."""

    def run(service, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return service(**kwargs)

    return run
