"""A patient books on a phone-sized screen, from the home page to the confirmation.

Driven by Playwright against Debian's Chromium and the live server; screenshots of every step go to
test-artifacts/screenshots/<test>/ (git-ignored).
"""

import re

import pytest
from playwright.sync_api import expect

from bookings.models import Appointment, Patient
from bookings.services import create_booking
from tests.browser.conftest import choose_day
from tests.conftest import at

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def start_booking(page, live_server, shots):
    page.goto(live_server.url + "/")
    expect(page).to_have_title(re.compile("book online"))
    shots(page, "home")
    page.get_by_role("link", name="Book a massage").first.click()
    expect(page.get_by_role("heading", name="Book a soft tissue massage")).to_be_visible()


def fill_details(page, *, name="Robin Patient", phone="07700 900456"):
    page.get_by_label("Your full name").fill(name)
    page.get_by_label("Mobile phone number").fill(phone)
    page.get_by_label("Email address (optional)").fill("robin@example.com")
    page.get_by_label("What would you like help with? (optional)").fill("Tight calves after running.")
    page.get_by_label("No to all of these").check()
    page.get_by_label(re.compile("keeping my answers to these health questions")).check()
    page.get_by_label("I have read the privacy notice").check()
    page.get_by_label("I agree to the cancellation policy").check()


def test_a_patient_books_with_a_named_therapist_and_sees_the_reference(
    page, live_server, shots, clinic, lengths, alice, ben, next_monday
):
    start_booking(page, live_server, shots)
    page.get_by_label("45 minutes, £55").check()
    page.get_by_role("radio", name=re.compile("Alice Example")).check()
    shots(page, "length-and-therapist")
    page.get_by_role("button", name="Choose a day").click()

    expect(page.get_by_role("heading", name="Choose a day")).to_be_visible()
    shots(page, "day")
    choose_day(page, next_monday)
    # htmx swaps the times in without a page load; the address follows so Back works.
    expect(page).to_have_url(re.compile(f"day={next_monday.isoformat()}"))
    shots(page, "time")
    page.get_by_role("link", name=re.compile("^10:00 on Monday")).click()

    expect(page.get_by_role("heading", name="Your details")).to_be_visible()
    fill_details(page)
    shots(page, "details")
    page.get_by_role("button", name=re.compile("^Book Mon")).click()

    expect(page.get_by_role("heading", name="You're booked in")).to_be_visible()
    reference = page.locator("#booking-reference").inner_text()
    shots(page, "confirmation")
    appointment = Appointment.objects.get(reference=reference)
    assert appointment.therapist == alice
    assert appointment.start == at(next_monday, "10:00")
    assert appointment.length == lengths[45]
    assert appointment.patient.phone.as_e164 == "+447700900456"
    expect(page.get_by_text("Alice Example")).to_be_visible()
    expect(page.get_by_role("link", name="Add to calendar (.ics)")).to_be_visible()

    page.reload()  # refreshing the confirmation books nothing more
    expect(page.locator("#booking-reference")).to_have_text(reference)
    assert Appointment.objects.count() == 1


def test_a_patient_with_no_preference_takes_the_next_available_time(
    page, live_server, shots, clinic, lengths, alice, ben
):
    start_booking(page, live_server, shots)
    page.get_by_label("30 minutes, £40").check()
    page.get_by_role("radio", name=re.compile("No preference")).check()
    shots(page, "length-and-no-preference")
    page.get_by_role("button", name="Choose a day").click()

    page.locator("#next-available").click()
    expect(page.get_by_role("heading", name=re.compile("^Times on"))).to_be_visible()
    shots(page, "time")
    first_time = page.locator(".time-button").first
    chosen = first_time.inner_text().strip()
    first_time.click()

    expect(page.get_by_text("Whoever is free (no preference)")).to_be_visible()
    fill_details(page, name="Sam Nopref", phone="+44 7700 900789")
    shots(page, "details")
    page.locator("#book-button").click()

    expect(page.get_by_role("heading", name="You're booked in")).to_be_visible()
    shots(page, "confirmation")
    appointment = Appointment.objects.get(reference=page.locator("#booking-reference").inner_text())
    assert appointment.therapist in (alice, ben)
    assert appointment.local_start.strftime("%H:%M") == chosen
    assert appointment.patient == Patient.objects.get(phone="+447700900789")


def test_a_time_taken_just_before_confirming_gets_a_friendly_message_and_alternatives(
    page, live_server, shots, clinic, lengths, alice, patient, next_monday
):
    start_booking(page, live_server, shots)
    page.get_by_label("60 minutes, £70").check()
    page.get_by_role("radio", name=re.compile("Alice Example")).check()
    page.get_by_role("button", name="Choose a day").click()
    choose_day(page, next_monday)
    page.get_by_role("link", name=re.compile("^11:00 on Monday")).click()
    fill_details(page)
    shots(page, "details-filled")

    # Someone else (reception, on the phone) takes the time while the patient is typing.
    create_booking(length=lengths[30], therapist=alice, start=at(next_monday, "11:15"), patient=patient)
    page.locator("#book-button").click()

    expect(page.get_by_text("Sorry, that time has just been booked.").first).to_be_visible()
    alternatives = page.locator("button[name=pick_start]")
    expect(alternatives).to_have_count(3)
    expect(page.get_by_label("Your full name")).to_have_value("Robin Patient")
    expect(page.get_by_label("Mobile phone number")).to_have_value("07700 900456")
    shots(page, "taken-with-alternatives")
    assert Appointment.objects.count() == 1

    alternatives.first.click()
    expect(page.get_by_text(re.compile("Time changed to"))).to_be_visible()
    expect(page.get_by_label("Your full name")).to_have_value("Robin Patient")
    shots(page, "alternative-picked")
    page.locator("#book-button").click()
    expect(page.get_by_role("heading", name="You're booked in")).to_be_visible()
    shots(page, "confirmation")
    assert Appointment.objects.filter(patient__phone="+447700900456").count() == 1
