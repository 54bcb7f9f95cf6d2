"""Texts nobody else could act on go to reception's callback queue (registered with
`clinic.sms.inbound` as its fallback), so nothing a patient writes is lost.

Also where other apps' handlers send what needs a person: a cancellation asked for inside the
notice period, a HELP, a CANCEL the text provider took as STOP. Their note travels with the text.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from phonenumber_field.phonenumber import PhoneNumber

from bookings.models import Patient
from clinic.sms.inbound import Outcome, Reply

from .call_times import describe_call_time
from .models import CallbackRequest, SmsKind

# The queue's own building blocks: a text joins or opens a request the way the form does.
from .services import Submission, _ack_due, _append_message, _create_request

UNKNOWN_SENDER = "Unknown (sent a text)"


def request_callback_from_text(*, phone: PhoneNumber, name: str, message: str) -> Submission:
    """A text a patient sent that needs a person: it joins that phone's open callback request (its
    other details untouched), or becomes a new one ("Text from patient", as soon as possible) with
    the usual notice to reception. No acknowledgement text is written here: the caller answers
    the text itself, when `acknowledged` (not within CALLBACK_ACK_COOLDOWN_HOURS of the last
    acknowledgement, so an auto-responder on the patient's phone cannot start a ping-pong)."""
    for attempt in range(2):
        try:
            with transaction.atomic():
                req = CallbackRequest.objects.open().select_for_update().filter(phone=phone).first()
                created = req is None
                if created:
                    fields = {"name": name.strip()[:120], "reason": CallbackRequest.Reason.TEXT}
                    req = _create_request(
                        phone, fields, message=message, clinical_review=False, acknowledge=False
                    ).request
                else:
                    _append_message(req, message.strip())
                    req.times_asked += 1
                    req.save()
                acknowledged = _ack_due(req, timedelta(hours=settings.CALLBACK_ACK_COOLDOWN_HOURS))
                if acknowledged:
                    req.acknowledged_at = timezone.now()
                    req.save(update_fields=["acknowledged_at"])
                return Submission(request=req, created=created, acknowledged=acknowledged)
        except IntegrityError:
            if attempt:
                raise
    raise AssertionError("unreachable")


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
