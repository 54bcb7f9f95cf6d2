"""Retention: every registered rule runs nightly; `apply_retention --dry-run` counts exactly what
the real run then changes; SMS wording goes after 30 days, patients after 8 years without an
appointment, closed callback requests after 180 days, and the admin log follows its objects."""

from datetime import timedelta

import pytest
import time_machine
from django.contrib.admin.models import CHANGE, LogEntry
from django.core.management import call_command
from django.utils import timezone

from bookings.models import Appointment, Patient
from callbacks.models import CallbackRequest
from clinic.core.models import PrivacyRecord
from clinic.core.personal_data import retention_rules
from clinic.core.privacy import apply_retention
from clinic.sms.models import Message
from tests.conftest import at
from tests.privacy_support import CARA_NEEDLES, found_in_database, seed

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded(alice, lengths, next_monday, manager):
    return seed(therapist=alice, lengths=lengths, day=next_monday, staff=manager)


def _counts(results):
    return {result.rule.key: result.count for result in results}


def test_every_kind_of_record_has_a_rule():
    assert {rule.key for rule in retention_rules()} >= {
        "sms.bodies",
        "bookings.patients",
        "callbacks.closed",
        "core.clinical_access",
        "codes.phone_codes",
        "core.sessions",
        "sms.incoming_bodies",
        "bookings.wait_list",
    }


@pytest.mark.parametrize("days_later", [31, 200, 9 * 365])
def test_the_dry_run_counts_what_the_real_run_then_changes(seeded, days_later):
    with time_machine.travel(at(seeded.day, "18:00") + timedelta(days=days_later), tick=False):
        predicted = _counts(apply_retention(dry_run=True))
        changed = _counts(apply_retention())
        again = _counts(apply_retention(dry_run=True))

    assert predicted == changed
    assert sum(changed.values()) > 0
    assert set(again.values()) == {0}  # nothing left to do


def test_the_dry_run_changes_nothing(seeded, capsys):
    with time_machine.travel(at(seeded.day, "18:00") + timedelta(days=9 * 365), tick=False):
        before = found_in_database(CARA_NEEDLES)
        call_command("apply_retention", "--dry-run")
        assert found_in_database(CARA_NEEDLES) == before

    output = capsys.readouterr().out
    assert "bookings.patients: 2 would change" in output  # Cara and Olly
    assert not PrivacyRecord.objects.filter(kind="retention").exists()


def test_sms_wording_older_than_the_limit_is_removed_and_newer_is_kept(seeded, settings):
    sent = timezone.now()
    Message.objects.update(status=Message.Status.DELIVERED, sent_at=sent)
    newer = Message.objects.order_by("pk").last()
    Message.objects.filter(pk=newer.pk).update(sent_at=sent + timedelta(days=5))

    with time_machine.travel(sent + timedelta(days=settings.SMS_BODY_RETENTION_DAYS, hours=1), tick=False):
        results = _counts(apply_retention())

    redacted = Message.objects.exclude(pk=newer.pk)
    assert results["sms.bodies"] == redacted.count() > 0
    assert set(redacted.values_list("body", "error_message")) == {("", "")}
    assert all(m.redacted_at for m in redacted)
    assert Message.objects.get(pk=newer.pk).body != ""
    # The rows stay, with their status, for the delivery figures.
    assert Message.objects.filter(status=Message.Status.DELIVERED).count() == Message.objects.count()


def test_a_pending_reminder_keeps_its_wording_however_old_the_row(seeded, settings):
    reminder = Message.objects.about(seeded.visit).get(kind="reminder")
    with time_machine.travel(timezone.now() + timedelta(days=settings.SMS_BODY_RETENTION_DAYS + 1), tick=False):
        apply_retention()
    assert Message.objects.get(pk=reminder.pk).body != ""


def test_patients_with_no_appointment_for_eight_years_are_erased(seeded, manager):
    eight_years_on = at(seeded.day, "18:00") + timedelta(days=round(365.25 * 8) + 1)
    with time_machine.travel(eight_years_on - timedelta(days=2), tick=False):
        assert _counts(apply_retention())["bookings.patients"] == 0

    with time_machine.travel(eight_years_on, tick=False):
        assert _counts(apply_retention())["bookings.patients"] == 2

    assert found_in_database(CARA_NEEDLES) == []
    assert set(Patient.objects.values_list("name", flat=True)) == {"Erased patient"}
    assert Appointment.objects.count() == 3  # kept, de-identified
    assert PrivacyRecord.objects.filter(kind="erasure", by=None).count() == 2


def test_a_patient_with_a_recent_appointment_is_kept(seeded, alice, lengths):
    with time_machine.travel(at(seeded.day, "18:00") + timedelta(days=7 * 365), tick=False):
        Appointment.objects.create(
            patient=seeded.cara, therapist=alice, length=lengths[30], start=timezone.now() - timedelta(days=1)
        )
    with time_machine.travel(at(seeded.day, "18:00") + timedelta(days=9 * 365), tick=False):
        apply_retention()
    assert set(Patient.objects.values_list("name", flat=True)) == {"Cara Callback", "Erased patient"}


def test_the_admin_log_follows_deleted_callback_requests(seeded, manager, settings):
    req = CallbackRequest.objects.get()
    assert LogEntry.objects.filter(object_id=str(req.pk), content_type__model="callbackrequest").exists()
    later = req.closed_at + timedelta(days=settings.CALLBACK_RETENTION_DAYS, hours=1)

    with time_machine.travel(later, tick=False):
        assert _counts(apply_retention())["callbacks.closed"] == 1

    assert not CallbackRequest.objects.exists()
    assert not LogEntry.objects.filter(content_type__model="callbackrequest").exists()
    assert not Message.objects.filter(kind__startswith="callback_").exists()
    # Entries about other objects stay.
    assert LogEntry.objects.filter(action_flag=CHANGE).count() == 2


def test_a_real_run_is_recorded_with_its_counts(seeded):
    with time_machine.travel(timezone.now() + timedelta(days=40), tick=False):
        call_command("apply_retention")
    record = PrivacyRecord.objects.get(kind="retention")
    assert record.counts["sms.bodies"] > 0 and record.by is None


def test_a_text_whose_wording_was_removed_cannot_be_sent_again(seeded):
    from clinic.sms.services import SMSError, resend_message

    message = Message.objects.about(seeded.visit).get(kind="booking_confirmation")  # failed
    with time_machine.travel(timezone.now() + timedelta(days=40), tick=False):
        apply_retention()
    message.refresh_from_db()
    with pytest.raises(SMSError, match="wording was removed"):
        resend_message(message=message)


def test_expired_sessions_are_deleted_and_live_ones_kept(client, seeded):
    from django.contrib.sessions.models import Session

    client.get("/book/")  # a patient's session
    session = client.session
    session["bookings.screening.earlier"] = {"version": 1, "answers": {"pregnant": "yes"}}
    session.save()
    live = Session.objects.count()
    assert live >= 1
    with time_machine.travel(timezone.now() + timedelta(days=15), tick=False):
        assert _counts(apply_retention(dry_run=True))["core.sessions"] == live
        apply_retention()
    assert not Session.objects.exists()
