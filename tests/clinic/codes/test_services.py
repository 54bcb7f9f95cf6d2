"""Texted codes: stored hashed, ten minutes, five tries, the latest only, limited per number, and
the same work in the request whether or not the number is known."""

import re
from datetime import date, timedelta

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from clinic.codes.models import PhoneCode
from clinic.codes.services import MAX_TRIES, CodeError, purge_old_codes, request_code, verify_code
from clinic.sms.models import Message
from tests.clinic.codes.conftest import KNOWN, UNKNOWN, texted_code
from tests.conftest import at

pytestmark = pytest.mark.django_db


@pytest.fixture
def ask(django_capture_on_commit_callbacks):
    """Ask for a code as a page would: in a transaction, with the task run after it commits."""

    def ask(phone=KNOWN, purpose="test"):
        with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
            return request_code(phone=phone, purpose=purpose)

    return ask


def test_a_known_number_is_texted_six_digits_and_only_their_keyed_hash_is_stored(ask, purpose, awake, sms_outbox):
    row = ask()
    code = texted_code(sms_outbox)
    row.refresh_from_db()
    assert len(code) == 6 and code.isdigit()
    assert row.status == PhoneCode.Status.TEXTED
    assert code not in row.code_hash and len(row.code_hash) == 64
    assert "try the tests" in sms_outbox[-1].body and "10 minutes" in sms_outbox[-1].body
    assert sms_outbox[-1].body.endswith(f"@clinic.example.test #{code}")


def test_the_right_code_is_accepted_once(ask, purpose, awake, sms_outbox):
    ask()
    code = texted_code(sms_outbox)
    assert verify_code(phone=KNOWN, purpose="test", code=code).used_at is not None
    with pytest.raises(CodeError) as refusal:
        verify_code(phone=KNOWN, purpose="test", code=code)
    assert refusal.value.reason == "used"


def test_a_used_code_is_blanked_in_the_sms_log(ask, purpose, awake, sms_outbox):
    ask()
    code = texted_code(sms_outbox)
    verify_code(phone=KNOWN, purpose="test", code=f" {code[:3]} {code[3:]} ")
    assert code not in Message.objects.get().body


def test_five_wrong_tries_lock_the_code_even_against_the_right_one(ask, purpose, awake, sms_outbox):
    ask()
    code = texted_code(sms_outbox)
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    reasons = []
    for _ in range(MAX_TRIES):
        with pytest.raises(CodeError) as refusal:
            verify_code(phone=KNOWN, purpose="test", code=wrong)
        reasons.append((refusal.value.reason, refusal.value.tries_left))
    assert reasons == [("wrong", 4), ("wrong", 3), ("wrong", 2), ("wrong", 1), ("locked", 0)]
    with pytest.raises(CodeError) as refusal:
        verify_code(phone=KNOWN, purpose="test", code=code)
    assert refusal.value.reason == "locked"
    assert PhoneCode.objects.get().attempts == MAX_TRIES


def test_an_expired_code_is_refused(ask, purpose, time_machine, sms_outbox):
    time_machine.move_to(at(date(2030, 1, 7), "14:00"), tick=False)
    ask()
    code = texted_code(sms_outbox)
    time_machine.move_to(at(date(2030, 1, 7), "14:09") + timedelta(seconds=59), tick=False)
    verify_code(phone=KNOWN, purpose="test", code=code)  # just inside the ten minutes

    ask()
    code = texted_code(sms_outbox)
    time_machine.move_to(at(date(2030, 1, 7), "14:19") + timedelta(seconds=59), tick=False)
    with pytest.raises(CodeError) as refusal:
        verify_code(phone=KNOWN, purpose="test", code=code)
    assert refusal.value.reason == "expired"
    assert "expired" in refusal.value.message


def test_only_the_latest_code_counts(ask, purpose, awake, sms_outbox):
    ask()
    first = texted_code(sms_outbox)
    ask()
    second = texted_code(sms_outbox)
    if first != second:  # one in a million they are the same digits
        with pytest.raises(CodeError):
            verify_code(phone=KNOWN, purpose="test", code=first)
    verify_code(phone=KNOWN, purpose="test", code=second)


def test_an_unknown_number_gets_a_row_but_no_text_and_any_code_is_wrong(ask, purpose, awake, sms_outbox):
    ask(UNKNOWN)
    row = PhoneCode.objects.get()
    assert row.status == PhoneCode.Status.WITHHELD and row.code_hash == ""
    assert sms_outbox == [] and not Message.objects.exists()
    with pytest.raises(CodeError) as refusal:
        verify_code(phone=UNKNOWN, purpose="test", code="123456")
    assert (refusal.value.reason, refusal.value.tries_left) == ("wrong", 4)


def test_the_request_does_the_same_work_for_a_known_and_an_unknown_number(
    purpose, awake, sms_outbox, django_capture_on_commit_callbacks
):
    # Whether the number may be texted is asked by the task queued after commit, never while the
    # person waits: the request counts recent codes and inserts a row, whoever the number is.
    statements = {}
    for phone in (KNOWN, UNKNOWN):
        with (
            django_capture_on_commit_callbacks(execute=False) as callbacks,
            CaptureQueriesContext(connection) as run,
            transaction.atomic(),
        ):
            request_code(phone=phone, purpose="test")
        assert len(callbacks) == 1
        statements[phone] = [re.sub(r"'[^']*'|\d+", "?", query["sql"]) for query in run.captured_queries]
    assert statements[KNOWN] == statements[UNKNOWN]
    assert sms_outbox == []
    assert list(PhoneCode.objects.values_list("status", flat=True)) == [PhoneCode.Status.WAITING] * 2


def test_codes_are_limited_per_number_across_purposes(ask, purpose, awake, sms_outbox, settings):
    from clinic.codes import purposes

    purposes.register("other", action="do something else")
    settings.PHONE_CODE_RATE_PER_NUMBER = ["3/h"]
    ask()
    ask()
    ask(purpose="other")
    with pytest.raises(CodeError) as refusal:
        ask()
    assert refusal.value.reason == "too_many"
    assert "try again after" in refusal.value.message
    ask(UNKNOWN)  # another number is not affected
    purposes._purposes.pop("other")


def test_the_limit_lifts_when_the_window_has_passed(ask, purpose, time_machine, sms_outbox, settings):
    settings.PHONE_CODE_RATE_PER_NUMBER = ["2/h"]
    time_machine.move_to(at(date(2030, 1, 7), "14:00"), tick=False)
    ask()
    time_machine.move_to(at(date(2030, 1, 7), "14:30"), tick=False)
    ask()
    with pytest.raises(CodeError) as refusal:
        ask()
    assert refusal.value.retry_at == at(date(2030, 1, 7), "15:00")
    time_machine.move_to(at(date(2030, 1, 7), "15:00") + timedelta(seconds=1), tick=False)
    ask()


def test_a_code_goes_at_once_even_in_quiet_hours(ask, purpose, time_machine, sms_outbox):
    time_machine.move_to(at(date(2030, 1, 7), "23:30"), tick=False)
    ask()
    assert len(sms_outbox) == 1
    assert Message.objects.get().any_hour


def test_an_unregistered_purpose_is_a_programming_error(ask, purpose):
    with pytest.raises(ValueError):
        ask(purpose="nonsense")


def test_old_codes_and_their_texts_are_purged(ask, purpose, time_machine, sms_outbox):
    time_machine.move_to(at(date(2030, 1, 7), "09:00"), tick=False)
    ask()
    time_machine.move_to(at(date(2030, 1, 8), "08:00"), tick=False)
    ask()
    assert purge_old_codes(now=at(date(2030, 1, 8), "09:30")) == 1
    assert PhoneCode.objects.count() == 1
    assert Message.objects.count() == 1


def test_the_code_text_fits_one_segment_with_a_long_clinic_name(purpose):
    from clinic.core.models import ClinicSettings
    from clinic.sms import gsm
    from clinic.sms.services import render_sms

    clinic = ClinicSettings.load()
    clinic.name = "Northfield Sports Physiotherapy & Massage Clinic"
    clinic.save()
    context = {"code": "123456", "action": "see your bookings", "minutes": 10, "host": "book.example-physio.co.uk"}
    body = render_sms("phone_code", context)
    assert gsm.is_gsm7(body)
    assert gsm.segments(body) <= 2, body
    assert body.startswith("123456 is your Northfield")
