"""The wait list and texts patients send are kept no longer than the privacy notice says."""

from datetime import date, datetime, timedelta

import pytest

from bookings.models import WaitListEntry, WaitListOffer
from bookings.waitlist.entries import Wish, join_wait_list
from clinic.core.privacy import apply_retention
from clinic.sms.inbound import receive_text
from clinic.sms.models import IncomingText, Message
from tests.bookings.wait_list_support import LONDON, cancel, waiting

pytestmark = pytest.mark.django_db


def counts(results):
    return {result.rule.key: result.count for result in results}


def test_entries_go_30_days_after_their_last_day_with_their_offers_and_texts(
    monday_afternoon, lengths, booked_wednesday, on_commit, time_machine
):
    entry = waiting("Wendy Waiting", "+447700900456", lengths[45], last_day=date(2030, 1, 20))
    cancel(on_commit, booked_wednesday)
    offer = WaitListOffer.objects.get()
    assert Message.objects.about(offer).exists()

    time_machine.move_to(datetime(2030, 2, 19, 4, 0, tzinfo=LONDON), tick=False)
    assert counts(apply_retention(dry_run=True))["bookings.wait_list"] == 0
    time_machine.move_to(datetime(2030, 2, 20, 4, 0, tzinfo=LONDON), tick=False)
    assert counts(apply_retention())["bookings.wait_list"] == 1

    assert not WaitListEntry.objects.filter(pk=entry.pk).exists()
    assert not WaitListOffer.objects.exists()
    assert not Message.objects.filter(kind="waitlist_offer").exists()


def test_an_entry_whose_mobile_was_never_confirmed_goes_after_a_day(monday_afternoon, lengths, alice, time_machine):
    wish = Wish(length=lengths[45], therapist=None, days=[0], parts=["morning"], last_day=date(2030, 1, 20))
    join_wait_list(name="Never Confirmed", phone="+447700900456", wish=wish)

    time_machine.shift(timedelta(hours=23))
    assert counts(apply_retention())["bookings.wait_list"] == 0
    time_machine.shift(timedelta(hours=2))
    assert counts(apply_retention())["bookings.wait_list"] == 1
    assert not WaitListEntry.objects.exists()


def test_the_wording_of_texts_patients_send_goes_after_30_days(awake, time_machine):
    receive_text(message_sid="SM" + "1" * 32, sender="+447700900555", body="Call me about my sore back please")

    time_machine.shift(timedelta(days=31))
    assert counts(apply_retention())["sms.incoming_bodies"] == 1

    text = IncomingText.objects.get()
    assert (text.body, text.detail) == ("", "")
    assert text.action  # what it did stays, for reception's figures
