"""Texts nobody else could act on go to reception's callback queue (registered with
`clinic.sms.inbound` as its fallback), so nothing a patient writes is lost.

Also where other apps' handlers send what needs a person: a cancellation asked for inside the
notice period, a HELP, a CANCEL the text provider took as STOP. Their note travels with the text.
"""

from __future__ import annotations

from django.utils import timezone

from bookings.models import Patient
from clinic.sms.inbound import Outcome, Reply

from .call_times import describe_call_time
from .models import CallbackRequest, SmsKind
from .services import request_callback_from_text

UNKNOWN_SENDER = "Unknown (sent a text)"


def _message(text, note: str) -> str:
    received = timezone.localtime(text.received_at)
    lines = [f'Text on {received:%a %-d %b at %H:%M}: "{text.body.strip()}"']
    if note:
        lines.append(note)
    return "\n".join(lines)


def pass_to_reception(text, note: str) -> Outcome:
    """Put the text (and `note`) in the callback queue; answer that the clinic will call."""
    patient = text.contact if isinstance(text.contact, Patient) else None
    submission = request_callback_from_text(
        phone=text.sender, name=patient.name if patient else UNKNOWN_SENDER, message=_message(text, note)
    )
    request = submission.request
    reply = None
    if submission.acknowledged:
        promise = describe_call_time(when=CallbackRequest.When.ASAP)
        first_name = (request.name.split() or ["there"])[0][:20] if patient else "there"
        reply = Reply(SmsKind.CALLBACK_ACK, {"name": first_name, "promise": promise})
    return Outcome(
        "Passed to reception (new callback request)" if submission.created else "Added to an open callback request",
        about=request,
        reply=reply,
    )
