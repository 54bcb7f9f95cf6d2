"""Playwright against Debian's Chromium (never a downloaded browser), screenshots kept under
test-artifacts/ (git-ignored) so a failed CI run can be looked at."""

from pathlib import Path

import pytest

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
