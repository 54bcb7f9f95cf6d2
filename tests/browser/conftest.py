"""Playwright against Debian's Chromium (never a downloaded browser), screenshots kept under
test-artifacts/ (git-ignored) so a failed CI run can be looked at."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from clinic.core.models import ClinicSettings, OpeningHours
from tests.conftest import CHROMIUM

ARTIFACTS = Path(__file__).resolve().parent.parent.parent / "test-artifacts" / "screenshots"

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1440, "height": 900}


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        # Without the background-networking flags Chromium keeps trying to reach Google's hosts,
        # which this machine's closed network refuses.
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-quic",
            "--disable-dev-shm-usage",
        ],
    }


@pytest.fixture
def shots(request):
    """shots(page, "step-name") saves a screenshot of `page` (the whole page unless told) for this test."""
    folder = ARTIFACTS / request.node.name
    folder.mkdir(parents=True, exist_ok=True)
    counter = iter(range(1, 100))

    def take(page, name: str, *, full_page: bool = True) -> Path:
        path = folder / f"{next(counter):02d}-{name}.png"
        page.screenshot(path=str(path), full_page=full_page)
        return path

    return take


@pytest.fixture
def audit(shots):
    """The accessibility audit (tests/browser/audit.py): check(page, name) each page, then assert_clean()."""
    from tests.browser.audit import Audit

    return Audit(shots)


@pytest.fixture
def browser_context_args(browser_context_args):
    """Patients' pages are tested on a phone, in British English and the clinic's zone; reception's
    tests override this with DESKTOP."""
    return {**browser_context_args, "viewport": PHONE, "locale": "en-GB", "timezone_id": "Europe/London"}


@pytest.fixture
def clinic(db):
    """Transactional tests start from an empty database: the clinic's settings, weekday hours and
    the data migration's health questions (a transactional test's flush removed them)."""
    from tests.bookings.screening_support import seeded_questionnaire

    for weekday in range(5):
        OpeningHours.objects.create(weekday=weekday, opens="09:00", closes="17:00")
    seeded_questionnaire()
    return ClinicSettings.load()


def choose_day(page, day) -> None:
    """On the day-and-time page: pick `day` and wait for its times (htmx swaps them in)."""
    page.locator(f"a.day-cell[href*='day={day.isoformat()}']").click()
    expect(page.get_by_role("heading", name=re.compile(f"^Times on {day:%A}"))).to_be_visible()
