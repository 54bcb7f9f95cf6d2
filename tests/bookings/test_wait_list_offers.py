"""Time that comes free is offered to the wait list: first three in join order, quiet hours kept."""

import re
from datetime import datetime, timedelta

import pytest

from bookings.models import Appointment, FreedTime, Patient, WaitListOffer
from bookings.services import create_booking, reschedule_booking, set_status
from bookings.waitlist.offers import offer_due_freed_time
from clinic.core.models import ClinicSettings
from clinic.sms.models import TextConsent
from tests.bookings.wait_list_support import LONDON, WEDNESDAY, cancel, waiting
from tests.conftest import at

pytestmark = pytest.mark.django_db


def offered_to(freed=None):
    offers = WaitListOffer.objects.filter(freed=freed) if freed else WaitListOffer.objects.all()
    return [o.entry.name for o in offers.order_by("pk")]


def fill_alices_wednesday_morning_around(length_60, alice):
    """Only 10:00-10:45 (the appointment to cancel) stays between other bookings."""
    other = Patient.objects.create(name="Busy Bee", phone="+447700900322")
    for start in ("09:00", "10:45", "11:45"):
        create_booking(length=length_60, start=at(WEDNESDAY, start), patient=other, therapist=alice, online_rules=False)


def test_a_cancellation_is_offered_to_exactly_the_first_three_matching_entries_in_join_order(
    monday_afternoon, lengths, alice, ben, booked_wednesday, on_commit, sms_outbox
):
    fill_alices_wednesday_morning_around(lengths[60], alice)
    waiting("Too long", "+447700900401", lengths[60])  # wants 60 minutes: 45 are free
    waiting("Wrong day", "+447700900402", lengths[45], days=[0, 4])
    waiting("Afternoons", "+447700900403", lengths[45], parts=["afternoon"])
    waiting("Only Ben", "+447700900404", lengths[45], therapist=ben)
    first = waiting("First", "+447700900405", lengths[45])
    waiting("Second", "+447700900406", lengths[45], therapist=alice)
    waiting("Third", "+447700900407", lengths[30])  # 30 minutes fit in the freed 45
    waiting("Fourth", "+447700900408", lengths[45])

    cancel(on_commit, booked_wednesday)

    assert offered_to() == ["First", "Second", "Third"]
    offers = [sms for sms in sms_outbox if sms.kind == "waitlist_offer"]
    assert sorted(sms.to for sms in offers) == ["+447700900405", "+447700900406", "+447700900407"]
    offer = WaitListOffer.objects.get(entry=first)
    assert (offer.start, offer.therapist, offer.length) == (at(WEDNESDAY, "10:00"), alice, lengths[45])
    assert offer.expires_at == offer.offered_at + timedelta(hours=2)
    body = next(sms.body for sms in sms_outbox if sms.to == "+447700900405")
    link = re.search(r"Book it: (https://clinic\.example\.test/offer/\S+/)\n", body)
    assert body.startswith("Hi First, a 45-minute slot is free Wed 9 Jan 10:00 with Alice Example. Book it: "), body
    assert link and "The first to book gets it. Link open until 16:00." in body
    freed = FreedTime.objects.get()
    assert (freed.cause, freed.appointment, freed.due_at) == ("cancelled", booked_wednesday, offer.expires_at)


def test_when_the_round_runs_out_unclaimed_the_next_entries_are_offered(
    monday_afternoon, lengths, booked_wednesday, on_commit, sms_outbox, time_machine
):
    for n in range(5):
        waiting(f"Patient {n}", f"+44770090041{n}", lengths[45])
    cancel(on_commit, booked_wednesday)
    sms_outbox.clear()

    time_machine.shift(timedelta(hours=1, minutes=59))
    assert offer_due_freed_time() == 0
    time_machine.shift(timedelta(minutes=2))
    assert on_commit(offer_due_freed_time) == 2

    assert offered_to() == [f"Patient {n}" for n in range(5)]
    assert [o.status for o in WaitListOffer.objects.order_by("pk")] == ["expired"] * 3 + ["offered"] * 2
    assert sorted(sms.to for sms in sms_outbox) == ["+447700900413", "+447700900414"]


def test_time_booked_meanwhile_is_not_offered_again(
    monday_afternoon, lengths, alice, patient, booked_wednesday, on_commit, time_machine
):
    for n in range(4):
        waiting(f"Patient {n}", f"+44770090041{n}", lengths[45])
    cancel(on_commit, booked_wednesday)
    create_booking(length=lengths[45], start=at(WEDNESDAY, "10:00"), patient=patient, therapist=alice)

    time_machine.shift(timedelta(hours=2, minutes=1))
    assert offer_due_freed_time() == 0
    assert FreedTime.objects.get().done_at is not None


def test_an_offer_ends_at_the_slots_minimum_notice_when_that_comes_first(
    lengths, alice, patient, on_commit, time_machine
):
    time_machine.move_to(datetime(2030, 1, 9, 7, 0, tzinfo=LONDON), tick=False)
    appointment = create_booking(length=lengths[45], start=at(WEDNESDAY, "12:00"), patient=patient, therapist=alice)
    time_machine.move_to(datetime(2030, 1, 9, 9, 0, tzinfo=LONDON), tick=False)
    waiting("Soon", "+447700900410", lengths[45])

    cancel(on_commit, appointment)

    # Two hours would be 11:00, but the clinic's minimum notice (2 hours) closes 12:00 at 10:00.
    assert WaitListOffer.objects.get().expires_at == at(WEDNESDAY, "10:00")


@pytest.fixture
def late_evening(time_machine):
    time_machine.move_to(datetime(2030, 1, 7, 22, 0, tzinfo=LONDON), tick=False)


def test_a_cancellation_at_night_is_offered_at_the_end_of_quiet_hours(
    late_evening, lengths, booked_wednesday, on_commit, sms_outbox, time_machine
):
    waiting("Night owl", "+447700900410", lengths[45])

    cancel(on_commit, booked_wednesday)

    assert sms_outbox == [] and not WaitListOffer.objects.exists()
    assert FreedTime.objects.get().due_at == datetime(2030, 1, 8, 8, 0, tzinfo=LONDON)
    time_machine.move_to(datetime(2030, 1, 8, 7, 59, tzinfo=LONDON), tick=False)
    assert offer_due_freed_time() == 0
    time_machine.move_to(datetime(2030, 1, 8, 8, 0, tzinfo=LONDON), tick=False)
    with_texts = on_commit(offer_due_freed_time)
    assert with_texts == 1
    assert [sms.to for sms in sms_outbox] == ["+447700900410"]


def test_time_freed_at_night_and_booked_before_morning_is_never_offered(
    late_evening, lengths, alice, patient, booked_wednesday, on_commit, sms_outbox, time_machine
):
    waiting("Night owl", "+447700900410", lengths[45])
    cancel(on_commit, booked_wednesday)
    time_machine.move_to(datetime(2030, 1, 8, 7, 30, tzinfo=LONDON), tick=False)
    create_booking(length=lengths[45], start=at(WEDNESDAY, "10:00"), patient=patient, therapist=alice)
    sms_outbox.clear()

    time_machine.move_to(datetime(2030, 1, 8, 8, 0, tzinfo=LONDON), tick=False)
    assert on_commit(offer_due_freed_time) == 0

    assert sms_outbox == [] and not WaitListOffer.objects.exists()
    assert FreedTime.objects.get().done_at is not None


def test_a_number_that_replied_stop_is_skipped(monday_afternoon, lengths, booked_wednesday, on_commit):
    waiting("Opted out", "+447700900410", lengths[45])
    waiting("Keen", "+447700900411", lengths[45])
    TextConsent.objects.create(phone="+447700900410", opted_out=True, how='Texted "STOP"')

    cancel(on_commit, booked_wednesday)

    assert offered_to() == ["Keen"]


def test_an_entry_past_its_last_day_is_not_offered(monday_afternoon, lengths, booked_wednesday, on_commit):
    waiting("Until Tuesday", "+447700900410", lengths[45], last_day=WEDNESDAY - timedelta(days=1))

    cancel(on_commit, booked_wednesday)

    assert not WaitListOffer.objects.exists()
    assert FreedTime.objects.get().done_at is not None


def test_a_no_show_and_a_move_free_time_too(
    monday_afternoon, lengths, alice, booked_wednesday, on_commit, time_machine
):
    on_commit(reschedule_booking, appointment=booked_wednesday, start=at(WEDNESDAY, "14:00"))
    assert FreedTime.objects.get().cause == FreedTime.Cause.MOVED
    assert (FreedTime.objects.get().start, FreedTime.objects.get().end) == (
        at(WEDNESDAY, "10:00"),
        at(WEDNESDAY, "10:45"),
    )

    time_machine.move_to(datetime(2030, 1, 9, 14, 5, tzinfo=LONDON), tick=False)
    on_commit(set_status, appointment=booked_wednesday, status=Appointment.Status.NO_SHOW)
    assert FreedTime.objects.order_by("pk").last().cause == FreedTime.Cause.NO_SHOW


def test_time_already_past_is_not_noted(lengths, alice, patient, time_machine, on_commit):
    time_machine.move_to(datetime(2030, 1, 9, 9, 0, tzinfo=LONDON), tick=False)
    appointment = create_booking(
        length=lengths[45], start=at(WEDNESDAY, "09:00"), patient=patient, therapist=alice, online_rules=False
    )
    time_machine.move_to(datetime(2030, 1, 9, 10, 0, tzinfo=LONDON), tick=False)
    on_commit(set_status, appointment=appointment, status=Appointment.Status.NO_SHOW)
    assert not FreedTime.objects.exists()


def test_the_offer_respects_the_clinics_minimum_notice(monday_afternoon, lengths, alice, on_commit, patient):
    clinic = ClinicSettings.load()
    clinic.min_notice_minutes = 48 * 60
    clinic.save()
    appointment = create_booking(
        length=lengths[45], start=at(WEDNESDAY, "10:00"), patient=patient, therapist=alice, online_rules=False
    )
    waiting("Keen", "+447700900411", lengths[45])

    cancel(on_commit, appointment)

    assert not WaitListOffer.objects.exists()


def test_the_offer_text_fits_in_two_segments_with_long_names(monday_afternoon, lengths, on_commit, settings):
    from bookings.waitlist.offers import offer_text_context
    from clinic.sms import gsm
    from clinic.sms.services import render_sms
    from tests.conftest import make_therapist

    settings.PUBLIC_BASE_URL = "https://www.example-physio-and-massage.co.uk"
    clinic = ClinicSettings.load()
    clinic.name = "Northfield Sports Physiotherapy & Massage Clinic"
    clinic.save()
    therapist = make_therapist("Alexandra Fitzgerald-Montgomery", lengths=lengths.values())
    other = Patient.objects.create(name="Olive Other", phone="+447700900321")
    booked = create_booking(length=lengths[45], start=at(WEDNESDAY, "10:15"), patient=other, therapist=therapist)
    waiting("Maximiliana Featherstonehaugh-Smythe", "+447700900410", lengths[45])
    cancel(on_commit, booked)

    body = render_sms("waitlist_offer", offer_text_context(WaitListOffer.objects.get()))

    assert gsm.is_gsm7(body) and gsm.segments(body) <= 2, f"{len(body)} characters:\n{body}"
    assert body.startswith("Hi Maximiliana, a 45-minute slot is free Wed 9 Jan 10:15 with Alexandra")
    assert "/offer/" in body and body.endswith("\nNorthfield Sports Physiotherapy & Massage Clinic")
