"""A receptionist's first morning: sign in, open today's diary, book a caller into a free slot,
see the block appear and mark the patient arrived (Playwright with Debian's Chromium)."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from bookings.models import Appointment, Patient
from clinic.core.roles import RECEPTION, ensure_roles
from tests.bookings.diary_support import staff
from tests.browser.conftest import DESKTOP
from tests.conftest import make_therapist

pytestmark = [pytest.mark.browser, pytest.mark.postgres, pytest.mark.slow]


@pytest.fixture
def browser_context_args(browser_context_args):
    """Reception's desktop, in British English (dates in the pickers read 25/11/2026)."""
    return {**browser_context_args, "viewport": DESKTOP, "locale": "en-GB", "timezone_id": "Europe/London"}


@pytest.mark.django_db(transaction=True)
def test_a_receptionist_books_a_caller_from_the_diary_and_marks_them_arrived(live_server, page, shots, lengths):
    ensure_roles()  # the transactional database starts without the data migration's groups
    every_day = {wd: [("09:00", "17:00")] for wd in range(7)}
    alice = make_therapist("Alice Example", lengths=lengths.values(), hours=every_day)
    make_therapist("Ben Sample", lengths=lengths.values(), hours=every_day, order=2)
    Patient.objects.create(name="Pat Example", phone="+447700900123")
    staff("rita", RECEPTION)
    today = timezone.localdate()

    page.goto(f"{live_server.url}/admin/")
    page.get_by_label("Username").fill("rita")
    page.get_by_label("Password").fill("rita-pass-123")
    page.get_by_role("button", name="Log in").click()

    page.get_by_role("link", name="Open today's diary").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"Diary for {today:%A} {today.day}")
    expect(page.get_by_role("columnheader", name=re.compile("Alice Example"))).to_be_visible()
    shots(page, "todays-diary")

    page.get_by_role("link", name="Book Alice Example at 10:00").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Add appointment")
    expect(page.locator("#id_therapist")).to_have_value(str(alice.pk))
    expect(page.locator("#id_start_1")).to_have_value("10:00")
    # Find the caller by name with the admin's autocomplete.
    page.locator(".field-patient .select2-selection").click()
    page.locator(".select2-search__field").fill("Pat")
    page.get_by_role("option", name=re.compile("Pat Example")).click()
    page.get_by_label("Treatment length").select_option(label="Soft tissue release massage, 30 min")
    shots(page, "booking-form")
    page.get_by_role("button", name="Save", exact=True).click()

    expect(page.locator(".messagelist")).to_contain_text("Booked Pat Example with Alice Example")
    block = page.locator("td.appt a.block", has_text="Pat Example")
    expect(block).to_contain_text("10:00–10:30")
    expect(block).to_contain_text("Booked")
    shots(page, "block-in-the-diary")

    block.click()
    page.get_by_role("button", name="Mark arrived").click()
    expect(page.locator(".messagelist")).to_contain_text("is marked arrived")
    expect(page.locator(".appointment-summary")).to_contain_text("Arrived")
    shots(page, "marked-arrived")

    appointment = Appointment.objects.get()
    assert appointment.status == Appointment.Status.ARRIVED
    assert appointment.history.order_by("-history_id").first().history_user.username == "rita"
