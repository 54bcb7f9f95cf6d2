"""Texts of unknown fate, settled against the provider's message log.

A text is `unknown` when its send may or may not have reached Twilio: the request timed out
after it was sent, the connection dropped, or the worker died between claiming the row and
hearing back (the relay marks such rows unknown once their lease runs out). Resending blindly
could text the patient twice; leaving it could mean no confirmation at all.

So a periodic job (`reconcile_unknown_messages`, run by beat every minute) asks Twilio's log,
through the backend, for messages to that number around the attempt, once the attempt is
SMS_RECONCILE_AFTER_SECONDS old:

- **found** (same recipient and body, not already another row's): the row takes its provider id
  and status (sent, delivered, failed, ...), exactly as a late status report would;
- **not found**: Twilio never got it, so the row goes back to pending and is sent again, once
  (`reconciled_at` is set; if that send ends unknown too, it stays for reception).

Either way `error_message` says what was found, so reception sees the outcome in the SMS log.
Each row is leased before the lookup (one conditional UPDATE), so two beats or two workers never
reconcile the same row at once, and every outcome is written only if the row is still unknown.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from .backends import LookupUnsupported, SendError, get_backend
from .models import Message
from .services import TWILIO_STATUSES, enqueue_send

logger = logging.getLogger(__name__)

LEASE = timedelta(minutes=2)
# How far before the recorded attempt to look: clocks differ a little between us and Twilio.
CLOCK_SLACK = timedelta(minutes=1)


@dataclass
class ReconcileSummary:
    found: int = 0
    resent: int = 0
    left: int = 0  # the backend could not look, or Twilio did not answer: tried again next run


def _due_for_reconciling(now: datetime):
    ready_before = now - timedelta(seconds=settings.SMS_RECONCILE_AFTER_SECONDS)
    return Message.objects.filter(
        Q(attempted_at__lte=ready_before) | Q(attempted_at__isnull=True, updated_at__lte=ready_before),
        status=Message.Status.UNKNOWN,
        reconciled_at__isnull=True,
    ).filter(Q(lease_until__isnull=True) | Q(lease_until__lt=now))


def _claim(message_id: int, now: datetime) -> bool:
    return bool(_due_for_reconciling(now).filter(pk=message_id).update(lease_until=now + LEASE))


def reconcile_unknown_messages(*, now: datetime | None = None, batch_size: int = 50) -> ReconcileSummary:
    """Settle unknown texts against the provider's log (see the module docstring).

    Network calls happen outside any transaction, one row at a time, each leased first.
    Returns how many were found, sent again, or left for the next run.
    """
    now = now or timezone.now()
    summary = ReconcileSummary()
    backend = get_backend()
    ids = list(_due_for_reconciling(now).order_by("attempted_at", "pk").values_list("pk", flat=True)[:batch_size])
    for message_id in ids:
        if not _claim(message_id, now):
            continue  # another reconciler has it
        message = Message.objects.get(pk=message_id)
        since = (message.attempted_at or message.updated_at) - CLOCK_SLACK
        taken = set(
            Message.objects.exclude(pk=message.pk)
            .exclude(provider_id="")
            .filter(to=message.to, updated_at__gte=since)
            .values_list("provider_id", flat=True)
        )
        try:
            record = backend.find_sent(message, since=since, until=timezone.now(), exclude_ids=taken)
        except LookupUnsupported:
            _release(message_id)
            summary.left += 1
            continue
        except SendError as error:
            logger.warning("SMS %s: could not ask the provider's log: %s", message_id, error.message)
            _release(message_id)
            summary.left += 1
            continue
        if record is not None:
            summary.found += _record_found(message, record.provider_id, record.status)
        else:
            summary.resent += _send_again(message)
    if summary.found or summary.resent:
        logger.info(
            "Reconciled unknown texts: %d found in the provider's log, %d sent again",
            summary.found,
            summary.resent,
            extra={"found": summary.found, "resent": summary.resent},
        )
    return summary


def _release(message_id: int) -> None:
    Message.objects.filter(pk=message_id, status=Message.Status.UNKNOWN).update(lease_until=None)


def _record_found(message: Message, provider_id: str, provider_status: str) -> int:
    status = TWILIO_STATUSES.get((provider_status or "").lower(), Message.Status.SENT)
    now = timezone.now()
    return Message.objects.filter(pk=message.pk, status=Message.Status.UNKNOWN).update(
        status=status,
        provider_id=provider_id[:64],
        sent_at=message.sent_at or message.attempted_at or now,
        reconciled_at=now,
        lease_until=None,
        error_message=f"Its outcome was unknown; Twilio's message log shows it was received ({provider_status}).",
        updated_at=now,
    )


def _send_again(message: Message) -> int:
    """Back to pending, due now, marked reconciled so this happens once; queued after commit."""
    now = timezone.now()
    with transaction.atomic():
        changed = Message.objects.filter(pk=message.pk, status=Message.Status.UNKNOWN).update(
            status=Message.Status.PENDING,
            due_at=now,
            reconciled_at=now,
            lease_until=now + timedelta(seconds=settings.SMS_RELAY_LEASE_SECONDS),
            error_message="Its outcome was unknown and Twilio's message log has no such text, so it was sent again.",
            updated_at=now,
        )
        if changed:
            transaction.on_commit(lambda: enqueue_send(message.pk))
    if changed:
        logger.warning("SMS %s: not in the provider's log; sending it again (once)", message.pk)
    return changed
