"""Reception moves appointments in the day diary at 1440x900: by dragging a block to another
therapist and time, from the keyboard (M, arrows, Enter), and sees a refused move spring back with
the clash named; two receptionists see each other's changes within the polling interval, and a
block one of them is moving is shown changed, not overwritten (Playwright, Debian's Chromium)."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from bookings.models import Appointment, Patient, Treatment, TreatmentLength
from bookings.notifications import Kind
from clinic.core.roles import RECEPTION, ensure_roles
from clinic.sms.models import Message
from tests.bookings.diary_support import book, staff
from tests.browser.conftest import DESKTOP
from tests.conftest import at, make_therapist

pytestmark = [pytest.mark.browser, pytest.mark.postgres, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

EVERY_DAY = {wd: [("09:00", "17:00")] for wd in range(7)}
CONTEXT = {"viewport": DESKTOP, "locale": "en-GB", "timezone_id": "Europe/London"}
GRAB = {"x": 12, "y": 6}  # near the block's top edge: it lands with its top where it is dropped


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, **CONTEXT}


@pytest.fixture
def day():
    return timezone.localdate() + timedelta(days=3)


@pytest.fixture
def clinic(lengths, day):
    ensure_roles()  # the transactional database starts without the data migration's groups
    alice = make_therapist("Alice Example", lengths=lengths.values(), hours=EVERY_DAY)
    ben = make_therapist("Ben Sample", lengths=lengths.values(), hours=EVERY_DAY, order=2)
    pat = Patient.objects.create(name="Pat Example", phone="+447700900123")
    appointment = book(pat, alice, lengths[30], at(day, "10:00"))
    staff("rita", RECEPTION)
    staff("sam", RECEPTION)
    return alice, ben, appointment


def open_diary(page, live_server, username, day):
    page.goto(f"{live_server.url}/admin/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(f"{username}-pass-123")
    page.get_by_role("button", name="Log in").click()
    page.goto(f"{live_server.url}/admin/bookings/appointment/diary/?date={day.isoformat()}")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Diary for")


def free_cell(page, therapist, hh_mm):
    return page.locator("td.free", has=page.get_by_role("link", name=f"Book {therapist.name} at {hh_mm}", exact=True))


def test_a_receptionist_drags_a_block_to_another_therapist_and_time(live_server, page, shots, clinic, day):
    alice, ben, appointment = clinic
    open_diary(page, live_server, "rita", day)
    block = page.locator(f"#appointment-{appointment.pk}")
    expect(block).to_contain_text("Pat Example")
    expect(block).to_contain_text("First visit")
    shots(page, "before-the-drag", full_page=False)

    block.drag_to(free_cell(page, ben, "11:15"), source_position=GRAB, target_position=GRAB)

    expect(page.locator("#diary-status")).to_contain_text(
        re.compile(r"Moved Pat Example to \w{3} \d+ \w{3} 11:15 with Ben Sample. They will be texted the new time.")
    )
    moved = page.locator(f"#appointment-{appointment.pk}")
    expect(moved).to_contain_text("11:15–11:45")  # drawn again by the live diary
    shots(page, "after-the-drag", full_page=False)
    appointment.refresh_from_db()
    assert (appointment.therapist, timezone.localtime(appointment.start).strftime("%H:%M")) == (ben, "11:15")
    assert Message.objects.about(appointment).filter(kind=Kind.TIME_CHANGE).count() == 1


def test_a_receptionist_moves_a_block_from_the_keyboard(live_server, page, shots, clinic, day):
    alice, ben, appointment = clinic
    open_diary(page, live_server, "rita", day)
    block = page.locator(f"#appointment-{appointment.pk}")
    block.focus()

    page.keyboard.press("m")
    expect(page.locator("#diary-status")).to_contain_text("Moving Pat Example. Now at 10:00 with Alice Example.")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    expect(page.locator("#diary-status")).to_have_text("10:30 with Ben Sample")
    expect(page.locator(".diary-ghost")).to_have_text("10:30 with Ben Sample")
    shots(page, "choosing-with-the-arrow-keys", full_page=False)
    page.keyboard.press("Enter")

    expect(page.locator("#diary-status")).to_contain_text("with Ben Sample. They will be texted the new time.")
    expect(page.locator(f"#appointment-{appointment.pk}")).to_contain_text("10:30–11:00")
    expect(page.locator(f"#appointment-{appointment.pk}")).to_be_focused()
    appointment.refresh_from_db()
    assert (appointment.therapist, timezone.localtime(appointment.start).strftime("%H:%M")) == (ben, "10:30")

    page.keyboard.press("m")
    page.keyboard.press("ArrowUp")
    page.keyboard.press("Escape")
    expect(page.locator("#diary-status")).to_have_text("Not moved.")
    expect(page.locator(".diary-ghost")).to_have_count(0)


def test_a_refused_move_springs_back_and_names_the_clash(live_server, page, shots, clinic, day):
    alice, ben, appointment = clinic
    sports = Treatment.objects.create(name="Sports massage", slug="sports-massage")
    with_buffer = TreatmentLength.objects.create(treatment=sports, minutes=30, price=40, buffer_minutes=15)
    ben.lengths.add(with_buffer)
    robin = Patient.objects.create(name="Robin Sample", phone="+447700900456")
    held = book(robin, ben, with_buffer, at(day, "09:45"))
    open_diary(page, live_server, "rita", day)

    clearing_up = page.locator("td.buffer").first  # Ben's 10:15, while Robin's room is cleared
    page.locator(f"#appointment-{appointment.pk}").drag_to(clearing_up, source_position=GRAB, target_position=GRAB)

    expect(page.locator("#diary-alert")).to_have_text(
        f"Not moved. Ben Sample already has Robin Sample ({held.reference}) 09:45–10:15, clearing up until 10:30 "
        f"on {day:%a %d %b}."
    )
    expect(page.locator(".diary-ghost")).to_have_count(0)  # back where the block still is
    shots(page, "refused-and-sprung-back", full_page=False)
    expect(page.locator(f"#appointment-{appointment.pk}")).to_contain_text("10:00–10:30")
    appointment.refresh_from_db()
    assert appointment.therapist == alice
    assert not Message.objects.filter(kind=Kind.TIME_CHANGE).exists()


def test_two_receptionists_see_each_others_changes_and_a_block_being_moved_is_not_overwritten(
    live_server, browser, request, shots, clinic, day, lengths
):
    alice, ben, appointment = clinic
    contexts = [browser.new_context(**CONTEXT) for _ in range(2)]
    request.addfinalizer(lambda: [context.close() for context in contexts])  # stop their polling
    rita, sam = (context.new_page() for context in contexts)
    open_diary(rita, live_server, "rita", day)
    open_diary(sam, live_server, "sam", day)

    # Rita books a caller at another desk; Sam's page shows it within the polling interval.
    robin = Patient.objects.create(name="Robin Sample", phone="+447700900456")
    new = book(robin, ben, lengths[30], at(day, "14:00"))
    expect(sam.locator(f"#appointment-{new.pk}")).to_contain_text("Robin Sample", timeout=5000)

    # Sam starts moving Pat from the keyboard; meanwhile Rita drags Pat to Ben at 11:15.
    sam.locator(f"#appointment-{appointment.pk}").focus()
    sam.keyboard.press("m")
    sam.keyboard.press("ArrowDown")
    rita.locator(f"#appointment-{appointment.pk}").drag_to(
        free_cell(rita, ben, "11:15"), source_position=GRAB, target_position=GRAB
    )
    expect(rita.locator("#diary-status")).to_contain_text("Moved Pat Example")

    expect(sam.locator("#diary-alert")).to_have_text(
        "Pat Example's appointment was just changed at another desk. The diary shows it as it is now; nothing was "
        "moved.",
        timeout=5000,
    )
    expect(sam.locator(f"#appointment-{appointment.pk}")).to_contain_text("11:15–11:45")
    shots(sam, "changed-at-another-desk", full_page=False)
    sam.keyboard.press("Enter")  # the move was called off: Enter now just opens the appointment
    appointment.refresh_from_db()
    assert (appointment.therapist, timezone.localtime(appointment.start).strftime("%H:%M")) == (ben, "11:15")
    assert Appointment.objects.holding_time().count() == 2
