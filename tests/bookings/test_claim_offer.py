"""Claiming a wait-list offer books through the booking service: the first claim wins."""

from datetime import datetime, timedelta

import pytest

from bookings.models import Appointment, Patient, WaitListEntry, WaitListOffer
from bookings.waitlist.offers import OfferUnavailable, claim_offer
from tests.bookings.screening_support import answers, seeded_questionnaire
from tests.bookings.test_lock_timeouts import short_lock_timeout  # noqa: F401  (a fixture)
from tests.bookings.wait_list_support import LONDON, WEDNESDAY, cancel, waiting
from tests.conftest import at
from tests.threads import run_together

pytestmark = pytest.mark.django_db


@pytest.fixture
def three_offers(monday_afternoon, lengths, booked_wednesday, on_commit):
    """Three people offered the same freed 10:00 on Wednesday."""
    for n in range(3):
        waiting(f"Waiter {n}", f"+44770090042{n}", lengths[45])
    cancel(on_commit, booked_wednesday)
    offers = list(WaitListOffer.objects.order_by("pk"))
    assert len(offers) == 3 and {o.start for o in offers} == {at(WEDNESDAY, "10:00")}
    return offers


def test_claiming_books_the_time_for_the_person_on_the_list(three_offers, alice, lengths, on_commit, sms_outbox):
    first = three_offers[0]
    sms_outbox.clear()

    version = seeded_questionnaire()
    appointment = on_commit(
        claim_offer, offer=first, screening=answers(version), consents=("privacy_notice", "cancellation_policy")
    )

    assert (appointment.start, appointment.therapist, appointment.length) == (
        at(WEDNESDAY, "10:00"),
        alice,
        lengths[45],
    )
    assert appointment.patient == Patient.objects.get(phone="+447700900420")
    assert appointment.patient.name == "Waiter 0"
    assert appointment.source == Appointment.Source.ONLINE
    assert appointment.screening_status == "clear"
    first.refresh_from_db()
    assert (first.status, first.appointment) == (WaitListOffer.Status.CLAIMED, appointment)
    assert first.entry.status == WaitListEntry.Status.BOOKED
    assert [sms.kind for sms in sms_outbox] == ["booking_confirmation"]


def test_claiming_the_same_offer_twice_books_once(three_offers):
    first = claim_offer(offer=three_offers[0])
    again = claim_offer(offer=three_offers[0])
    assert first == again
    assert Appointment.objects.filter(status=Appointment.Status.BOOKED).count() == 1


def test_a_later_claim_is_told_someone_was_quicker_and_stays_on_the_list(three_offers):
    claim_offer(offer=three_offers[0])

    with pytest.raises(OfferUnavailable) as refusal:
        claim_offer(offer=three_offers[1])

    assert refusal.value.reason == "taken"
    assert refusal.value.message.startswith("Sorry, someone was quicker")
    second = WaitListOffer.objects.get(pk=three_offers[1].pk)
    assert second.status == WaitListOffer.Status.TOO_LATE
    assert second.entry.status == WaitListEntry.Status.WAITING
    assert Appointment.objects.filter(start=at(WEDNESDAY, "10:00"), status="booked").count() == 1


def test_an_expired_offer_changes_nothing_but_its_own_status(three_offers, time_machine):
    time_machine.shift(timedelta(hours=2))

    with pytest.raises(OfferUnavailable) as refusal:
        claim_offer(offer=three_offers[0])

    assert refusal.value.reason == "expired"
    assert WaitListOffer.objects.get(pk=three_offers[0].pk).status == WaitListOffer.Status.EXPIRED
    assert not Appointment.objects.filter(start=at(WEDNESDAY, "10:00"), status="booked").exists()


def test_an_entry_that_left_the_list_cannot_claim(three_offers):
    from bookings.waitlist.entries import leave_wait_list

    leave_wait_list(entry=three_offers[0].entry)

    with pytest.raises(OfferUnavailable) as refusal:
        claim_offer(offer=three_offers[0])
    assert refusal.value.reason == "withdrawn"
    assert WaitListOffer.objects.get(pk=three_offers[0].pk).status == WaitListOffer.Status.WITHDRAWN


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_three_offers_claimed_at_once_make_exactly_one_booking_and_two_polite_refusals(
    lengths, alice, roles, time_machine
):
    time_machine.move_to(datetime(2030, 1, 7, 14, 0, tzinfo=LONDON), tick=False)
    other = Patient.objects.create(name="Olive Other", phone="+447700900321")
    from bookings.services import cancel_booking, create_booking

    booked = create_booking(length=lengths[45], start=at(WEDNESDAY, "10:00"), patient=other, therapist=alice)
    for n in range(3):
        waiting(f"Waiter {n}", f"+44770090042{n}", lengths[45])
    cancel_booking(appointment=booked, cancelled_by=Appointment.CancelledBy.CLINIC)  # offers made after commit
    offers = list(WaitListOffer.objects.order_by("pk"))
    assert len(offers) == 3

    results, errors = run_together([lambda o=o: claim_offer(offer=o) for o in offers], answers=(OfferUnavailable,))

    assert errors == []
    booked_now = [r for r in results if isinstance(r, Appointment)]
    refused = [r for r in results if isinstance(r, OfferUnavailable)]
    assert (len(booked_now), len(refused)) == (1, 2)
    assert all(r.reason == "taken" for r in refused)
    assert Appointment.objects.filter(therapist=alice, status="booked").count() == 1
    assert sorted(WaitListOffer.objects.values_list("status", flat=True)) == ["claimed", "too_late", "too_late"]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("short_lock_timeout")
def test_a_claim_blocked_by_a_stalled_transaction_says_try_again_and_keeps_the_offer_open(
    client, lengths, alice, time_machine
):
    from django.urls import reverse

    from bookings import tokens
    from bookings.services import cancel_booking, create_booking
    from tests.bookings.test_lock_timeouts import BUSY, row_locked

    time_machine.move_to(datetime(2030, 1, 7, 14, 0, tzinfo=LONDON), tick=True)
    other = Patient.objects.create(name="Olive Other", phone="+447700900321")
    booked = create_booking(length=lengths[45], start=at(WEDNESDAY, "10:00"), patient=other, therapist=alice)
    waiting("Waiter", "+447700900420", lengths[45])
    cancel_booking(appointment=booked, cancelled_by=Appointment.CancelledBy.CLINIC)
    offer = WaitListOffer.objects.get()
    url = reverse("bookings:offer", args=[tokens.offer_token(offer)])
    claim = {"none_apply": "on", "consent_health": "on", "consent_privacy": "on", "consent_cancellation": "on"}

    with row_locked("therapists_therapist", alice.pk):
        response = client.post(url, claim)

    assert response.status_code == 200
    assert BUSY in response.content.decode().lower() and "Book this time" in response.content.decode()
    assert WaitListOffer.objects.get().status == WaitListOffer.Status.OFFERED
    assert client.post(url, claim).status_code == 302  # the same button again, once the diary is free
    assert WaitListOffer.objects.get().status == WaitListOffer.Status.CLAIMED
