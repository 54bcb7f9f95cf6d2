"""Reception and the manager at 1440x900: book a 6-week course from an appointment, print the day
sheet one page per therapist, read last month's utilisation and no-show rate from the reports
(Playwright with Debian's Chromium; screenshots under test-artifacts/)."""

import re
import time
from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.utils import timezone
from playwright.sync_api import expect

from bookings.models import Appointment, Patient
from clinic.core.roles import MANAGER, RECEPTION, ensure_roles
from clinic.core.two_factor import requires_two_factor
from tests.bookings.diary_support import book, staff
from tests.browser.conftest import DESKTOP
from tests.conftest import at, make_therapist
from tests.otp import current_code, device_for

pytestmark = [pytest.mark.browser, pytest.mark.postgres, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

EVERY_DAY = {wd: [("09:00", "17:00")] for wd in range(7)}


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": DESKTOP, "locale": "en-GB", "timezone_id": "Europe/London"}


@pytest.fixture
def clinic(lengths):
    ensure_roles()  # the transactional database starts without the data migration's groups
    alice = make_therapist("Alice Example", lengths=lengths.values(), hours=EVERY_DAY)
    ben = make_therapist("Ben Sample", lengths=lengths.values(), hours=EVERY_DAY, order=2)
    return alice, ben


def sign_in(page, live_server, username):
    page.goto(f"{live_server.url}/admin/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(f"{username}-pass-123")
    user = User.objects.get(username=username)
    if requires_two_factor(user):  # managers give the code from their authenticator app
        page.get_by_label("Code from your authenticator app").fill(current_code(device_for(user)))
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("link", name="Log out").or_(page.get_by_role("button", name="Log out"))).to_be_visible()


def test_a_receptionist_books_a_six_week_course_in_two_clicks_from_the_appointment(
    live_server, page, shots, clinic, lengths
):
    alice, _ = clinic
    pat = Patient.objects.create(name="Pat Example", phone="+447700900123")
    robin = Patient.objects.create(name="Robin Sample", phone="+447700900456")
    monday = timezone.localdate() + timedelta(days=7 - timezone.localdate().weekday())
    first = book(pat, alice, lengths[30], at(monday, "10:00"))
    book(robin, alice, lengths[30], at(monday + timedelta(weeks=3), "10:00"))  # week 4 is taken
    staff("rita", RECEPTION)
    sign_in(page, live_server, "rita")
    page.goto(f"{live_server.url}/admin/bookings/appointment/{first.pk}/change/")

    started = time.monotonic()
    page.get_by_role("link", name="Book a course…").click()
    expect(page.locator("tr.is-taken")).to_contain_text("Alice Example has Robin Sample 10:00–10:30.")
    expect(page.locator("tr.is-free")).to_have_count(4)
    shots(page, "course-preview")
    page.get_by_role("button", name="Book the chosen sessions").click()
    expect(page.locator(".messagelist")).to_contain_text("Booked 5 more sessions for Pat Example (6 in the course)")
    elapsed = time.monotonic() - started
    expect(page.locator(".course-summary")).to_contain_text("Course: session 1 of 6, every week")
    shots(page, "course-booked")

    sessions = list(Appointment.objects.filter(course__isnull=False).order_by("start"))
    assert len(sessions) == 6 and sessions[0] == first
    assert timezone.localtime(sessions[3].start).strftime("%H:%M") == "09:30"  # the nearest alternative
    print(f"6-week course booked {elapsed:.1f} s after opening the appointment")


def test_the_day_sheet_prints_one_page_per_therapist(live_server, page, shots, clinic, lengths):
    alice, ben = clinic
    today = timezone.localdate()
    for i, therapist in enumerate((alice, ben)):
        for hour in range(9, 15):
            person = Patient.objects.create(name=f"Patient {i}{hour}", phone=f"+4477009005{i}{hour - 9}")
            book(person, therapist, lengths[45], at(today, f"{hour:02d}:00"))
    staff("rita", RECEPTION)
    sign_in(page, live_server, "rita")

    page.goto(f"{live_server.url}/admin/bookings/appointment/diary/")
    page.get_by_role("link", name="Print day sheet").click()
    expect(page.locator("section.sheet-page")).to_have_count(2)
    shots(page, "day-sheet")
    page.emulate_media(media="print")
    shots(page, "day-sheet-print")
    pdf = page.pdf(format="A4")
    pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf))
    assert pages == 2


def test_a_manager_reads_last_months_utilisation_and_no_show_rate_from_a_chart(
    live_server, page, shots, clinic, lengths
):
    alice, ben = clinic
    today = timezone.localdate()
    last_month = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    pat = Patient.objects.create(name="Pat Example", phone="+447700900123")
    for n, status in enumerate([Appointment.Status.COMPLETED] * 3 + [Appointment.Status.NO_SHOW]):
        book(pat, alice if n % 2 else ben, lengths[60], at(last_month + timedelta(days=n + 1), "10:00"), status=status)
    staff("mia", MANAGER)
    sign_in(page, live_server, "mia")

    page.locator("tr.model-report").get_by_role("link", name="Reports").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"Reports: 1 {last_month:%b %Y}")
    expect(page.get_by_role("img", name="Utilisation")).to_be_visible()
    expect(page.get_by_role("img", name="No-show and late cancellation rates")).to_be_visible()
    expect(page.locator(".report-headlines")).to_contain_text("No-show rate25.0%")
    shots(page, "reports")
    with page.expect_download() as download:
        page.locator("#rates").get_by_role("link", name=re.compile("Download CSV")).click()
    assert download.value.suggested_filename.startswith("clinic-rates-")


def test_a_30_minute_block_is_readable_in_the_week_view(live_server, page, shots, clinic, lengths):
    alice, ben = clinic
    monday = timezone.localdate() + timedelta(days=7 - timezone.localdate().weekday())
    pat = Patient.objects.create(name="Patricia Longname-Example", phone="+447700900123")
    short = book(pat, alice, lengths[30], at(monday + timedelta(days=2), "10:00"))
    book(pat, ben, lengths[30], at(monday + timedelta(days=2), "15:00"))  # "Also…" on the block too
    staff("rita", RECEPTION)
    sign_in(page, live_server, "rita")

    page.goto(f"{live_server.url}/admin/bookings/appointment/diary/week/?therapist={alice.pk}&date={monday}")
    block = page.locator(f"#appointment-{short.pk}")
    time_label, patient = block.locator(".block-time"), block.locator(".block-patient")
    expect(time_label).to_have_text("10:00–10:30")
    expect(patient).to_be_visible()
    inside = block.bounding_box()
    for part in (time_label.bounding_box(), patient.bounding_box()):
        assert part["y"] >= inside["y"] and part["y"] + part["height"] <= inside["y"] + inside["height"] + 1
    assert patient.evaluate("e => e.scrollWidth - e.clientWidth") < patient.evaluate("e => e.scrollWidth") / 2
    shots(page, "week-view", full_page=False)

    block.focus()  # focus (or hover) shows the rest over the rows below
    expect(block.get_by_text("Also: 15:00–15:30 with Ben Sample")).to_be_visible()
    shots(page, "week-view-block-focused", full_page=False)
