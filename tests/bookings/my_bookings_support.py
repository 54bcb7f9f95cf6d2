"""Signing in to "My bookings" in tests, as a patient does: ask for a code, read it from the text."""

from __future__ import annotations

import re

from django.urls import reverse

from clinic.codes.models import PhoneCode
from clinic.codes.services import issue_code
from clinic.sms.models import Message


def code_texted_to(phone) -> str:
    """The six digits of the latest code texted to `phone` (from the SMS outbox)."""
    body = Message.objects.filter(to=phone, kind="phone_code").latest("pk").body
    return re.search(r"\b(\d{6})\b", body).group(1)


def ask_for_code(client, phone):
    """POST the number; the code is issued after commit (in a test's transaction, here and now)."""
    response = client.post(reverse("bookings:my_bookings"), {"phone": str(phone)})
    waiting = PhoneCode.objects.filter(status=PhoneCode.Status.WAITING)
    for code in waiting:
        issue_code(code_id=code.pk)
    return response


def sign_in(client, phone):
    """Ask for a code and enter it: the client is then signed in to "My bookings" for `phone`."""
    ask_for_code(client, phone)
    response = client.post(reverse("bookings:my_bookings_code"), {"code": code_texted_to(phone)})
    assert response.status_code == 302, response.content.decode()[:2000]
    return response
