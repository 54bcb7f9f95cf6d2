"""A look at the day after a write draws again only the blocks the write changed: the others are
reused from the day's last drawing (`blocks.make_blocks(reuse=...)`), keyed by everything a block
is drawn from, so a reused block is always the one a fresh drawing would make."""

from datetime import time, timedelta

import pytest
from django.utils import timezone

from bookings.diary import Viewer, blocks, load_day
from bookings.diary.blocks import Block
from bookings.diary.day import build_day
from bookings.diary.html import rows_html
from bookings.diary.reception import NOTE_HIDDEN
from bookings.diary.setup import TherapistOfDay
from bookings.models import Appointment
from bookings.notifications import Kind
from clinic.sms.models import Message
from tests.bookings.diary_support import book
from tests.conftest import at

pytestmark = pytest.mark.django_db


def drawn(day, **kwargs) -> dict[int, Block]:
    diary = load_day(day, **kwargs)
    return {block.pk: block for column in diary.grid.columns for block in column.appointments} | {
        block.pk: block for block in diary.not_in_grid
    }


@pytest.fixture
def two_booked(alice, patient, lengths, next_monday):
    return (
        book(patient, alice, lengths[30], at(next_monday, "10:00")),
        book(patient, alice, lengths[30], at(next_monday, "11:00")),
    )


def test_a_second_drawing_with_nothing_changed_reuses_every_block(two_booked, next_monday):
    first, second = two_booked
    before = drawn(next_monday)
    again = drawn(next_monday)
    assert again[first.pk] is before[first.pk]
    assert again[second.pk] is before[second.pk]


def test_a_changed_appointment_is_drawn_again_and_the_others_reused(two_booked, next_monday):
    first, second = two_booked
    before = drawn(next_monday)
    first.status = Appointment.Status.ARRIVED
    first.save()

    after = drawn(next_monday)

    assert after[first.pk] is not before[first.pk]
    assert after[first.pk].status_label == "Arrived"
    assert after[second.pk] is before[second.pk]


def test_a_patients_new_name_draws_their_blocks_again(two_booked, patient, next_monday):
    first, _ = two_booked
    drawn(next_monday)
    patient.name = "Patricia Example"
    patient.save()
    assert drawn(next_monday)[first.pk].patient_name == "Patricia Example"


def test_what_other_rows_tell_about_a_block_draws_it_again(two_booked, ben, patient, lengths, next_monday):
    """Its own row unchanged, the block still shows the patient's new visit that day ("and 1
    more") and its text's failure: both are read for the whole page, not in the block's row."""
    first, _ = two_booked
    before = [badge.label for badge in drawn(next_monday)[first.pk].badges]
    book(patient, ben, lengths[30], at(next_monday, "15:00"))
    Message.objects.create(kind=Kind.BOOKING_CONFIRMATION, to="+447700900123", body="x", status="failed", about=first)

    badges = [badge.label for badge in drawn(next_monday)[first.pk].badges]

    assert "Also: 11:00–11:30 with Alice Example" in before
    assert "Also: 11:00–11:30 with Alice Example and 1 more" in badges
    assert "Text failed" in badges


def test_a_note_drawn_for_one_viewer_is_never_reused_for_another(alice, patient, lengths, next_monday):
    appointment = book(patient, alice, lengths[30], at(next_monday, "10:00"), note="Sore left shoulder")

    for_notes = drawn(next_monday, viewer=Viewer(can_see_notes=True))[appointment.pk]
    for_reception = drawn(next_monday, viewer=Viewer())[appointment.pk]
    again_for_notes = drawn(next_monday, viewer=Viewer(can_see_notes=True))[appointment.pk]

    assert for_notes.note == again_for_notes.note == "Sore left shoulder"
    assert for_reception.note == ""
    assert "Sore left shoulder" not in repr(for_reception)
    assert [b.title for b in for_reception.badges if b.label == "Note"] == [NOTE_HIDDEN]


def test_only_the_last_few_pages_are_kept(alice, patient, lengths, next_monday):
    for offset in range(blocks.PAGES_KEPT + 3):
        drawn(next_monday + timedelta(days=offset))
    assert len(blocks._kept) == blocks.PAGES_KEPT


def _block(pk, start, end) -> Block:
    return Block(
        pk=pk,
        therapist_id=1,
        start=start,
        end=end,
        blocked_until=end,
        status="booked",
        patient_name=f"Patient {pk}",
        minutes=int((end - start).total_seconds() // 60),
        treatment="Soft tissue release massage",
        time_label="",
        status_label="Booked",
        status_class="status-booked",
        url="",
        title="",
        length_label=f"{int((end - start).total_seconds() // 60)} min",
    )


def test_a_reused_block_says_its_treatment_only_while_its_cell_is_tall_enough(next_monday):
    """The length label follows the cell of each drawing, not the first drawing of the block: here
    an earlier block overlapping it (a double booking) leaves it three rows instead of four."""
    tz = timezone.get_current_timezone()
    hour = _block(1, at(next_monday, "10:00"), at(next_monday, "11:00"))
    earlier = _block(2, at(next_monday, "09:45"), at(next_monday, "10:15"))

    def page(*appointments) -> str:
        diary = build_day(
            next_monday,
            therapists=[TherapistOfDay(pk=1, name="Alice", active=True, user_id=None)],
            hours=[(1, time(9), time(17))],
            absences=[],
            closure=None,
            appointments=list(appointments),
            tz=tz,
        )
        return str(rows_html(diary.grid))

    alone, overlapped, alone_again = page(hour), page(earlier, hour), page(hour)

    assert "60 min · Soft tissue release massage" in alone
    assert "60 min · Soft tissue release massage" not in overlapped
    assert '<span class="block-length">60 min</span>' in overlapped
    assert alone_again == alone
