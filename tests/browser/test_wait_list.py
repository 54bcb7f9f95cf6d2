"""The wait list end to end on a phone-sized screen: a patient finds a day full and joins the list
(confirming the mobile with the texted code), reception cancels an appointment in the admin, the
offer is texted, and the patient opens the link from the text and books the time. Every patient
page passes the accessibility audit (tests/browser/audit.py).

Playwright with Debian's Chromium against the live server; texts are read from the in-memory SMS
backend's outbox; screenshots go to test-artifacts/screenshots/<test>/ (git-ignored).
"""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from bookings.models import Appointment, Patient, WaitListEntry
from bookings.services import create_booking
from clinic.core.models import ClinicSettings
from clinic.core.roles import RECEPTION, ensure_roles
from tests.bookings.diary_support import staff
from tests.bookings.screening_support import seeded_questionnaire
from tests.browser.conftest import DESKTOP, PHONE
from tests.clinic.sms.fixtures import wait_until
from tests.conftest import at, make_therapist

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": PHONE, "locale": "en-GB", "timezone_id": "Europe/London"}


def texts_to(sms_outbox, number: str, kind: str):
    return [sms for sms in list(sms_outbox) if sms.to == number and sms.kind == kind]


def test_a_patient_joins_the_wait_list_and_books_the_time_reception_frees(
    page, browser, live_server, shots, audit, lengths, next_monday, sms_outbox, no_quiet_hours
):
    ClinicSettings.load()
    ensure_roles()  # the transactional database starts without the data migration's groups and questions
    seeded_questionnaire()
    # Sam works Monday mornings only, and his Monday is fully booked.
    sam = make_therapist("Sam Taylor", lengths=lengths.values(), hours={0: [("09:00", "10:00")]})
    other = Patient.objects.create(name="Olive Other", phone="+447700900321")
    booked = create_booking(length=lengths[60], start=at(next_monday, "09:00"), patient=other, therapist=sam)
    staff("rita", RECEPTION)
    me = "+447700900456"

    # The patient looks for a 60-minute slot with Sam: nothing free, so they join the wait list.
    page.goto(f"{live_server.url}/book/day/?length={lengths[60].pk}&therapist={sam.pk}")
    expect(page.locator(f"a.day-cell[href*='day={next_monday.isoformat()}']")).to_have_count(0)
    audit.check(page, "day-full")
    page.get_by_role("link", name="Tell me if something comes up").click()

    expect(page.get_by_role("heading", name="Tell me if something comes up")).to_be_visible()
    page.get_by_role("checkbox", name="Monday").check()
    page.get_by_role("checkbox", name=re.compile("^Morning")).check()
    page.get_by_label("For how long?").select_option(label="The next 4 weeks")
    page.get_by_label("Your full name").fill("Wendy Waiting")
    page.get_by_label("Mobile phone number").fill("07700 900456")
    page.get_by_label("I have read the privacy notice").check()
    audit.check(page, "join-form")
    page.get_by_role("button", name="Text me a code to join").click()

    expect(page.get_by_role("heading", name="Check your texts")).to_be_visible()
    [code_text] = wait_until(lambda: texts_to(sms_outbox, me, "phone_code"), message="the code text")
    code = re.match(r"(\d{6}) ", code_text.body).group(1)
    audit.check(page, "code")
    page.get_by_label("The 6-digit code we texted you").fill(code)
    page.get_by_role("button", name="Join the wait list").click()

    expect(page.get_by_role("heading", name="You're on the wait list")).to_be_visible()
    audit.check(page, "on-the-list")
    assert WaitListEntry.objects.get().status == WaitListEntry.Status.WAITING

    # Reception cancels the Monday appointment in the admin (a desktop browser of its own).
    desk = browser.new_context(viewport=DESKTOP, locale="en-GB", timezone_id="Europe/London")
    reception = desk.new_page()
    reception.goto(f"{live_server.url}/admin/")
    reception.get_by_label("Username").fill("rita")
    reception.get_by_label("Password").fill("rita-pass-123")
    reception.get_by_role("button", name="Log in").click()
    reception.goto(live_server.url + reverse("admin:bookings_appointment_cancel", args=[booked.pk]))
    reception.locator("#id_reason").fill("Olive phoned: she is unwell")
    reception.get_by_role("button", name="Cancel the appointment").click()
    expect(reception.locator(".messagelist")).to_be_visible()
    shots(reception, "reception-cancelled")
    desk.close()
    assert Appointment.objects.get(pk=booked.pk).status == Appointment.Status.CANCELLED

    # The offer is texted; the patient opens its link and books.
    [offer_text] = wait_until(lambda: texts_to(sms_outbox, me, "waitlist_offer"), message="the offer text")
    assert f"a 60-minute slot is free {next_monday:%a} {next_monday.day} {next_monday:%b} 09:00 with Sam Taylor" in (
        offer_text.body
    )
    link = re.search(r"Book it: (\S+)", offer_text.body).group(1)
    page.goto(link.replace("https://clinic.example.test", live_server.url))
    expect(page.get_by_role("heading", name="A time came free")).to_be_visible()
    audit.check(page, "offer")
    page.get_by_label("No to all of these").check()
    page.get_by_label(re.compile("keeping my answers to these health questions")).check()
    page.get_by_label("I have read the privacy notice").check()
    page.get_by_label("I agree to the cancellation policy").check()
    page.get_by_role("button", name="Book this time").click()

    expect(page.get_by_role("heading", name="You're booked in")).to_be_visible()
    audit.check(page, "booked")
    mine = Appointment.objects.get(patient__phone=me)
    assert (mine.start, mine.therapist, mine.status) == (at(next_monday, "09:00"), sam, Appointment.Status.BOOKED)
    assert WaitListEntry.objects.get().status == WaitListEntry.Status.BOOKED
    audit.assert_clean()  # every patient page above passes the accessibility audit
