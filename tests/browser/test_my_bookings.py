""" "My bookings" end to end on a 390x844 phone: a patient opens it from the home page, enters the
number they booked with, reads the code from the texted message (the SMS outbox rows in the test
database), moves one appointment to another therapist and cancels another. Every page passes the
accessibility audit (tests/browser/audit.py); screenshots go to test-artifacts/screenshots/<test>/.
"""

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from bookings.models import Appointment
from bookings.services import create_booking
from clinic.sms.models import Message
from tests.clinic.sms.fixtures import wait_until
from tests.conftest import at

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_a_patient_signs_in_with_a_texted_code_moves_one_appointment_and_cancels_another(
    page, live_server, shots, audit, clinic, lengths, alice, ben, patient, next_monday, no_quiet_hours
):
    monday = create_booking(length=lengths[45], therapist=alice, start=at(next_monday, "10:00"), patient=patient)
    tuesday = create_booking(
        length=lengths[30], therapist=alice, start=at(next_monday + timedelta(days=1), "11:00"), patient=patient
    )

    page.goto(live_server.url + "/")
    page.get_by_role("main").get_by_role("link", name="My bookings").click()
    expect(page.get_by_role("heading", name="My bookings")).to_be_visible()
    audit.check(page, "number")
    page.get_by_label("Mobile phone number").fill("07700 900123")
    page.get_by_role("button", name="Text me a code").click()

    expect(page.get_by_role("heading", name="Check your texts")).to_be_visible()
    assert "7700" not in page.url
    audit.check(page, "code")
    text = wait_until(
        lambda: Message.objects.filter(to=patient.phone, kind="phone_code").first(), message="the code text"
    )
    code = re.match(r"(\d{6}) ", text.body).group(1)
    page.get_by_label("The 6-digit code we texted you").fill(code)
    page.get_by_role("button", name="Show my bookings").click()

    expect(page.get_by_role("heading", name="Upcoming")).to_be_visible()
    expect(page.get_by_text(monday.reference, exact=True)).to_be_visible()
    expect(page.get_by_text(tuesday.reference, exact=True)).to_be_visible()
    audit.check(page, "signed-in")

    # Monday's appointment moves to Ben, same day, 14:00.
    page.get_by_role("link", name=f"Move to another time ({monday.reference})").click()
    expect(page.get_by_role("heading", name="Move your appointment")).to_be_visible()
    page.get_by_label("With whom").select_option(label="Ben Sample")
    page.get_by_role("button", name="Show free times").click()
    audit.check(page, "move-days")
    page.locator(f"a.day-cell[href*='day={next_monday.isoformat()}']").click()
    expect(page.get_by_role("heading", name=re.compile("^Times on"))).to_be_visible()
    page.get_by_role("link", name=re.compile("^14:00 on Monday")).click()
    expect(page.get_by_role("heading", name="Move your appointment?")).to_be_visible()
    expect(page.get_by_text("Ben Sample (was Alice Example)")).to_be_visible()
    audit.check(page, "move-confirm")
    page.get_by_role("button", name=re.compile("^Move to")).click()

    expect(page.get_by_text(re.compile("Your appointment is moved to .* with Ben Sample"))).to_be_visible()
    audit.check(page, "moved")
    monday.refresh_from_db()
    assert (monday.therapist, monday.start) == (ben, at(next_monday, "14:00"))

    # Tuesday's is cancelled, with a reason.
    page.get_by_role("link", name=f"Cancel this appointment ({tuesday.reference})").click()
    expect(page.get_by_role("heading", name="Cancel your appointment?")).to_be_visible()
    page.get_by_label("I no longer need it").check()
    audit.check(page, "cancel-confirm")
    page.get_by_role("button", name="Yes, cancel it").click()

    expect(page.get_by_text(f"Your appointment {tuesday.reference} is cancelled.")).to_be_visible()
    expect(page.get_by_role("heading", name="Past and cancelled")).to_be_visible()
    audit.check(page, "cancelled")
    tuesday.refresh_from_db()
    assert tuesday.status == Appointment.Status.CANCELLED
    assert tuesday.cancellation_reason == "Cancelled online by the patient: I no longer need it"

    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("button", name="Text me a code")).to_be_visible()
    audit.assert_clean()
