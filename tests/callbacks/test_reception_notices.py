"""Reception's SMS and email say a request is waiting (and whether it needs clinical review) with
a link into the admin: no name, number, message or health detail leaves the clinic's systems."""

import re

import pytest
from django.core import mail

from callbacks.models import SmsKind
from callbacks.services import request_callback, send_due_reception_emails
from clinic.sms.models import Message

pytestmark = pytest.mark.django_db

NAME, PHONE = "Cara Quennell", "+447400111222"
MESSAGE = "Sharp pain in my lower back since a fall, on blood thinners, pregnant"
# Words about health or the person that must not be in a text or email to reception.
HEALTH_WORDS = ("injur", "pain", "back", "fall", "blood", "pregnan", "medic", "treatment", "symptom", "hurt")
PERSONAL = (NAME, "Cara", "Quennell", PHONE, "07400 111222", "111222")


def _ask(clinical_review: bool):
    req = request_callback(
        name=NAME, phone=PHONE, reason="question", message=MESSAGE, clinical_review=clinical_review
    ).request
    send_due_reception_emails()
    notice = Message.objects.about(req).get(kind=SmsKind.CALLBACK_NOTICE)
    (email,) = mail.outbox
    return req, notice.body, f"{email.subject}\n{email.body}"


@pytest.mark.parametrize("clinical_review", [False, True])
def test_the_notices_contain_no_health_words_and_no_personal_details(reception, no_quiet_hours, clinical_review):
    req, sms, email = _ask(clinical_review)

    for text in (sms, email):
        lowered = text.lower()
        assert [w for w in HEALTH_WORDS if re.search(rf"\b{w}", lowered)] == [], text
        assert [p for p in PERSONAL if p.lower() in lowered] == [], text
        assert f"https://clinic.example.test/admin/callbacks/callbackrequest/{req.pk}/change/" in text


def test_they_say_whether_the_request_needs_clinical_review(reception, no_quiet_hours):
    _, sms, email = _ask(clinical_review=True)
    assert sms.startswith("Clinical review callback waiting") and email.startswith("Clinical review callback waiting")


def test_a_plain_request_does_not_claim_clinical_review(reception, no_quiet_hours):
    _, sms, email = _ask(clinical_review=False)
    assert "clinical review" not in sms and "clinical review" not in email
