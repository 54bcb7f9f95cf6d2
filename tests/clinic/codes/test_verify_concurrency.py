"""Guesses sent at the same instant cannot get more than five tries between them (PostgreSQL)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from clinic.codes.models import PhoneCode
from clinic.codes.services import MAX_TRIES, CodeError, issue_code, verify_code
from tests.clinic.codes.conftest import KNOWN
from tests.threads import run_together

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_twelve_simultaneous_wrong_guesses_use_exactly_five_tries(purpose, awake, sms_outbox):
    row = PhoneCode.objects.create(phone=KNOWN, purpose="test", expires_at=timezone.now() + timedelta(minutes=10))
    issue_code(code_id=row.pk)
    code = sms_outbox[-1].body.split()[0]
    wrong = f"{(int(code) + 1) % 10**6:06d}"

    results, errors = run_together(
        [lambda: verify_code(phone=KNOWN, purpose="test", code=wrong)] * 12, answers=(CodeError,)
    )

    assert errors == []
    reasons = sorted(r.reason for r in results)
    assert reasons.count("wrong") == MAX_TRIES - 1
    assert reasons.count("locked") == 12 - (MAX_TRIES - 1)
    assert PhoneCode.objects.get().attempts == MAX_TRIES
