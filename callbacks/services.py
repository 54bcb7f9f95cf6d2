"""Writes for callback requests: a patient asks to be called, reception books them, retention.

SMS go through the outbox (`clinic.sms.services.queue_sms`) inside the same transaction as the
request they describe (design rule 4); the email to reception is sent by a task after commit.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, models, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from phonenumber_field.phonenumber import PhoneNumber

from bookings.models import Patient
from bookings.screening.referrals import Referral
from bookings.services import record_consents
from clinic.core import admin_log
from clinic.core.models import ClinicSettings
from clinic.core.personal_data import Applied
from clinic.core.phones import is_uk_mobile
from clinic.sms.models import Message
from clinic.sms.quiet_hours import next_allowed
from clinic.sms.services import queue_sms

from .call_times import describe_call_time
from .models import CallAttempt, CallbackRequest, SmsKind

logger = logging.getLogger(__name__)


class CallbackError(Exception):
    """A change to a callback request was refused; `message` is safe to show to reception."""

    def __init__(self, message: str):
        self.message = message
        super().__init__(message)


@dataclass(frozen=True)
class Submission:
    request: CallbackRequest
    created: bool  # False: the same phone's open request was updated instead
    acknowledged: bool  # an acknowledgement SMS was queued


def is_mobile(phone: PhoneNumber) -> bool:
    """Only mobiles get texts; a landline would silently swallow them (and cost us)."""
    return is_uk_mobile(phone)


def _first_name(name: str) -> str:
    # The SMS subsystem makes the text GSM-7; a short first name keeps it within two segments.
    parts = name.split()
    return (parts[0] if parts else "there")[:20]


def request_callback(
    *,
    name: str,
    phone: PhoneNumber,
    reason: str,
    when: str = CallbackRequest.When.ASAP,
    preferred_day: date | None = None,
    preferred_period: str = "",
    message: str = "",
    clinical_review: bool = False,
    referral: Referral | None = None,
    consents: tuple[str, ...] = (),
) -> Submission:
    """Record that `phone` wants a call, or update that phone's open request if it has one.

    Side effects, in the same transaction: an acknowledgement SMS to a mobile (not repeated
    within CALLBACK_ACK_COOLDOWN_HOURS for the same open request), and for a new request (or one
    that now needs a clinical review) a notice to reception (SMS to
    `ClinicSettings.reception_mobile`; email to `reception_email`, sent after commit); a
    `ConsentRecord` per purpose in `consents`. A `referral` (from the health questions) marks the
    request for clinical review and links the answers, the patient and what they wanted to book.
    A race between two submissions from one phone ends in one row: the partial unique
    constraint rejects the second insert, which is retried as an update.
    """
    if when != CallbackRequest.When.DAY:
        preferred_day, preferred_period = None, ""
    fields = {
        "name": name.strip(),
        "when": when,
        "preferred_day": preferred_day,
        "preferred_period": preferred_period,
        "reason": reason,
    }
    if referral is not None:
        clinical_review = True
        fields |= {
            "screening": referral.answer_set,
            "patient": referral.patient,
            "appointment": referral.appointment,
            "wanted_length": referral.length,
            "wanted_therapist": referral.therapist,
            "wanted_start": referral.start,
        }
    for attempt in range(2):
        try:
            with transaction.atomic():
                existing = CallbackRequest.objects.open().select_for_update().filter(phone=phone).first()
                if existing:
                    submission = _update_open_request(
                        existing, fields, message=message, clinical_review=clinical_review
                    )
                else:
                    submission = _create_request(phone, fields, message=message, clinical_review=clinical_review)
                record_consents(purposes=consents, about=submission.request, patient=submission.request.patient)
                return submission
        except IntegrityError:
            if attempt:
                raise
    raise AssertionError("unreachable")


def _create_request(phone, fields, *, message: str, clinical_review: bool, acknowledge: bool = True) -> Submission:
    req = CallbackRequest.objects.create(
        phone=phone, message=message.strip(), clinical_review=clinical_review, **fields
    )
    acknowledged = acknowledge and _acknowledge(req)
    _notify_reception(req)
    return Submission(request=req, created=True, acknowledged=acknowledged)


def _update_open_request(req: CallbackRequest, fields, *, message: str, clinical_review: bool) -> Submission:
    became_review = clinical_review and not req.clinical_review
    for field, value in fields.items():
        setattr(req, field, value)
    message = message.strip()
    _append_message(req, message)
    req.clinical_review = req.clinical_review or clinical_review
    req.times_asked += 1
    req.save()
    if became_review:
        # The request now jumps the queue; reception hears about it like a new one.
        _notify_reception(req)
    cooldown = timedelta(hours=settings.CALLBACK_ACK_COOLDOWN_HOURS)
    # The first text already promised a call; a repeat ask (often a double tap or impatience)
    # within the cool-down gets the promise on the thank-you page only, not another paid text.
    acknowledged = False
    if _ack_due(req, cooldown):
        acknowledged = _acknowledge(req)
    return Submission(request=req, created=False, acknowledged=acknowledged)


def _append_message(req: CallbackRequest, message: str) -> None:
    # Keep what they told us before: reception may not have read it yet.
    if message and message not in req.message:
        req.message = f"{req.message}\n\n{message}" if req.message else message


def _ack_due(req: CallbackRequest, cooldown: timedelta) -> bool:
    return req.acknowledged_at is None or timezone.now() - req.acknowledged_at >= cooldown


def _acknowledge(req: CallbackRequest) -> bool:
    if not is_mobile(req.phone):
        return False
    promise = describe_call_time(when=req.when, preferred_day=req.preferred_day, preferred_period=req.preferred_period)
    queue_sms(
        kind=SmsKind.CALLBACK_ACK,
        to=req.phone,
        context={"name": _first_name(req.name), "promise": promise},
        about=req,
    )
    req.acknowledged_at = timezone.now()
    req.save(update_fields=["acknowledged_at"])
    return True


def reception_notice_context(req: CallbackRequest) -> dict:
    """What reception's SMS and email say: that a request waits, whether it needs clinical review,
    and a link into the admin. Never who, their number or what they wrote: texts and email leave
    the clinic's systems, and the details (health ones included) stay behind the staff login."""
    return {
        "admin_url": settings.PUBLIC_BASE_URL.rstrip("/")
        + reverse("admin:callbacks_callbackrequest_change", args=[req.pk]),
        "clinical_review": req.clinical_review,
    }


def _notify_reception(req: CallbackRequest) -> None:
    clinic = ClinicSettings.load()
    if clinic.reception_mobile:
        queue_sms(
            kind=SmsKind.CALLBACK_NOTICE, to=clinic.reception_mobile, context=reception_notice_context(req), about=req
        )
    if clinic.reception_email:
        # Due now, or at the end of quiet hours; sent after commit, or by the periodic catch-up
        # (`send_due_reception_emails`) if the broker is down or a worker dies on the way.
        req.reception_email_due_at = next_allowed(timezone.now())
        req.save(update_fields=["reception_email_due_at"])
        transaction.on_commit(_send_reception_emails_after_commit, robust=True)


def _send_reception_emails_after_commit() -> None:
    from .tasks import email_due_reception_notices

    try:
        email_due_reception_notices.delay()
    except Exception:
        # The broker is down: the periodic catch-up would need it too, so send from this request.
        logger.warning("Broker unavailable; emailing reception about new callback requests directly")
        send_due_reception_emails()


RECEPTION_EMAIL_LEASE = timedelta(minutes=5)


def send_due_reception_emails(*, now: datetime | None = None, batch_size: int = 20) -> int:
    """Email reception about each callback request whose notice is due; returns how many were sent.

    Rows are claimed with SELECT ... FOR UPDATE SKIP LOCKED and leased for a few minutes, and the
    email goes out after that transaction: two runs never email the same request, and one that
    dies mid-way leaves the row to be retried when the lease ends. Failures are logged and retried.
    """
    now = now or timezone.now()
    clinic = ClinicSettings.load()
    if not clinic.reception_email:
        return 0
    with transaction.atomic():
        due = list(
            CallbackRequest.objects.select_for_update(skip_locked=True)
            .filter(reception_emailed_at__isnull=True, reception_email_due_at__lte=now)
            .order_by("reception_email_due_at")[:batch_size]
        )
        CallbackRequest.objects.filter(pk__in=[r.pk for r in due]).update(
            reception_email_due_at=now + RECEPTION_EMAIL_LEASE
        )
    sent = 0
    for req in due:
        try:
            _email_reception(req, clinic)
        except Exception:
            logger.exception("Could not email reception about callback request %s; will retry", req.pk)
            continue
        CallbackRequest.objects.filter(pk=req.pk).update(reception_emailed_at=timezone.now())
        sent += 1
    return sent


def _email_reception(req: CallbackRequest, clinic: ClinicSettings) -> None:
    context = {"clinic": clinic, **reception_notice_context(req)}
    send_mail(
        subject="Clinical review callback waiting" if req.clinical_review else "Callback request waiting",
        message=render_to_string("callbacks/email/reception_notice.txt", context),
        from_email=None,
        recipient_list=[clinic.reception_email],
    )


OPEN_CONSTRAINT = "callback_one_open_request_per_phone"


def _open_elsewhere(req: CallbackRequest) -> CallbackRequest | None:
    return CallbackRequest.objects.open().filter(phone=req.phone).exclude(pk=req.pk).first()


def _reopen_refusal(req: CallbackRequest, other: CallbackRequest) -> str:
    return (
        f"{req.name}'s request was left closed: {other.phone.as_national} already has an open request "
        f"(from {timezone.localtime(other.created_at):%a %-d %b %H:%M}). Work that one instead."
    )


def _save_checked(req: CallbackRequest, **save_kwargs) -> None:
    """Save, turning the one-open-request-per-phone constraint into a message reception can act on
    (two requests reopened at once for the same number, or a race with the patient asking again)."""
    try:
        with transaction.atomic():
            req.save(**save_kwargs)
    except IntegrityError as error:
        if OPEN_CONSTRAINT not in str(error):
            raise
        other = _open_elsewhere(req)
        raise CallbackError(
            _reopen_refusal(req, other) if other else "That number already has an open request."
        ) from error


def set_request_status(*, callback_request: CallbackRequest, status: str, by_user=None) -> CallbackRequest:
    """Move a request to `status` (new, in progress, done, closed without contact).

    Reopening a closed request (to new or in progress) is refused with `CallbackError` when the
    same phone already has another open request: the clinic works one request per number. Closing
    starts the retention clock (`closed_at`). Returns the request as saved.
    """
    if status not in CallbackRequest.Status.values:
        raise CallbackError("That is not a status a callback request can have.")
    with transaction.atomic():
        req = CallbackRequest.objects.select_for_update().get(pk=callback_request.pk)
        if req.status == status:
            return req
        reopening = not req.is_open and status in CallbackRequest.Status.open_statuses()
        if reopening and (other := _open_elsewhere(req)):
            raise CallbackError(_reopen_refusal(req, other))
        req.status = status
        _save_checked(req, update_fields=["status", "updated_at"])
    return req


EDITABLE_FIELDS = (
    "status",
    "name",
    "phone",
    "when",
    "preferred_day",
    "preferred_period",
    "reason",
    "clinical_review",
    "message",
)


def update_request(*, callback_request: CallbackRequest, changes: dict, by_user=None) -> CallbackRequest:
    """Save reception's edits to a request (the admin form), under the same rules as
    `set_request_status`: a change of phone or a reopening that would give a number two open
    requests raises `CallbackError`. Only `EDITABLE_FIELDS` are written."""
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise CallbackError(f"These cannot be edited: {', '.join(sorted(unknown))}.")
    with transaction.atomic():
        req = CallbackRequest.objects.select_for_update().get(pk=callback_request.pk)
        for field, value in changes.items():
            setattr(req, field, value)
        if req.when != CallbackRequest.When.DAY:
            req.preferred_day, req.preferred_period = None, ""
        if req.is_open and (other := _open_elsewhere(req)):
            raise CallbackError(_reopen_refusal(req, other))
        _save_checked(req)
    return req


def log_call_attempt(
    *, callback_request: CallbackRequest, outcome: str, note: str = "", at: datetime | None = None, by_user=None
) -> CallAttempt:
    """Record a call reception made for the request. The first logged call on a new request marks
    it in progress (someone is working on it)."""
    with transaction.atomic():
        req = CallbackRequest.objects.select_for_update().get(pk=callback_request.pk)
        attempt = CallAttempt.objects.create(
            request=req, outcome=outcome, note=note.strip(), at=at or timezone.now(), by=by_user
        )
        if req.status == CallbackRequest.Status.NEW:
            req.status = CallbackRequest.Status.IN_PROGRESS
            req.save(update_fields=["status", "updated_at"])
    return attempt


def patient_for_request(*, callback_request: CallbackRequest) -> Patient:
    """The patient record with the request's phone number, created from the request if missing,
    and linked to the request. Side effects: may create a Patient; saves the request."""
    with transaction.atomic():
        patient = Patient.objects.filter(phone=callback_request.phone).first()
        if patient is None:
            try:
                with transaction.atomic():
                    patient = Patient.objects.create(name=callback_request.name, phone=callback_request.phone)
            except IntegrityError:
                # Created meanwhile by someone else (phone is unique): use theirs.
                patient = Patient.objects.get(phone=callback_request.phone)
        if callback_request.patient_id != patient.pk:
            callback_request.patient = patient
            callback_request.save(update_fields=["patient", "updated_at"])
    return patient


def closed_before(cutoff: datetime) -> models.QuerySet:
    """Closed requests closed before `cutoff` (rows closed before `closed_at` existed: last change)."""
    return CallbackRequest.objects.closed().filter(
        Q(closed_at__lt=cutoff) | Q(closed_at__isnull=True, updated_at__lt=cutoff)
    )


def delete_requests(*, requests) -> Applied:
    """Delete callback requests with their call attempts and texts, and forget their admin log
    entries. Returns how many requests went and every object that went with them."""
    requests = list(requests)
    gone: list[models.Model] = [*requests, *CallAttempt.objects.filter(request__in=requests)]
    for req in requests:
        gone += list(Message.objects.about(req))
    with transaction.atomic():
        CallbackRequest.objects.filter(pk__in=[r.pk for r in requests]).delete()
        admin_log.forget(gone)
    return Applied(len(requests), gone)


def purge_closed_callbacks(*, older_than_days: int, now: datetime | None = None) -> tuple[int, int]:
    """Delete closed requests closed more than `older_than_days` ago, with their call attempts,
    SMS rows and admin log entries. Returns (requests deleted, call attempts deleted). Open
    requests are never touched. The nightly retention job runs the same rule (personal_data.py)."""
    cutoff = (now or timezone.now()) - timedelta(days=older_than_days)
    applied = delete_requests(requests=closed_before(cutoff))
    return applied.count, sum(isinstance(obj, CallAttempt) for obj in applied.objects)
