"""Offering time that came free to the wait list, and claiming an offer.

1. A booking service that frees time (cancel, no-show, move) calls `freed.time_freed` inside its
   transaction: a `FreedTime` row, and after commit the `offer_freed_time` task (the minutely
   `offer_due_freed_time` catches up if the broker was down).
2. A round: the first `ROUND_SIZE` waiting entries, in the order they joined, that a free start
   inside the freed time suits (their length, therapist, days, parts of day) are each texted one
   start with a signed link. An offer lasts `OFFER_LIFETIME` or until the start's minimum notice.
   In quiet hours nothing is offered; the row comes due at the end of them and is looked at
   again then, so only time still free at 08:00 is offered.
3. When the round's offers have run out (claimed, refused or expired), the next round goes to the
   next entries, while any of the time is still free.
4. `claim_offer` books through `create_booking` (the lock and the constraint): the first claim
   wins, later ones are told "someone was quicker" and the entry stays on the list.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import OperationalError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from clinic.core.db import is_lock_timeout
from clinic.sms import gsm
from clinic.sms.models import TextConsent
from clinic.sms.quiet_hours import in_quiet_hours, next_allowed
from clinic.sms.services import MAX_SEGMENTS, queue_sms, render_sms

from .. import tokens
from ..lengths import names_treatments
from ..models import Appointment, TreatmentLength
from ..notifications import Kind
from ..schedules import BookingPolicy, find_free_starts
from ..services import BookingError, Busy, PatientDetails, SlotUnavailable, create_booking
from .entries import WaitListError, withdraw_offers
from .models import FreedTime, WaitListEntry, WaitListOffer

ROUND_SIZE = 3
OFFER_LIFETIME = timedelta(hours=2)
LEASE = timedelta(minutes=2)


class OfferUnavailable(WaitListError):
    """The offer can no longer be claimed; `reason` is "taken", "expired" or "withdrawn"."""

    def __init__(self, message: str, *, reason: str):
        super().__init__(message)
        self.reason = reason


TOO_LATE = "Sorry, someone was quicker: that time has just been booked. You are still on the wait list."
EXPIRED = "Sorry, this offer has ended and the time may have gone to someone else. You are still on the wait list."
WITHDRAWN = "This offer is no longer open."


# --- offering ----------------------------------------------------------------------------------


def offer_freed_time(*, freed_id: int, now: datetime | None = None) -> list[WaitListOffer]:
    """Look at one due freed time: expire its offers that ran out, and if none is still open,
    offer what is still free to the next entries (see the module docstring). The row is claimed
    with SKIP LOCKED, so two workers never offer it twice. Returns the offers made."""
    now = now or timezone.now()
    with transaction.atomic():
        freed = (
            FreedTime.objects.select_for_update(skip_locked=True)
            .filter(pk=freed_id, done_at__isnull=True, due_at__lte=now)
            .select_related("therapist")
            .first()
        )
        if freed is None:
            return []
        freed.offers.filter(status=WaitListOffer.Status.OFFERED, expires_at__lte=now).update(
            status=WaitListOffer.Status.EXPIRED
        )
        still_open = freed.offers.filter(status=WaitListOffer.Status.OFFERED).order_by("expires_at").first()
        offers: list[WaitListOffer] = []
        if still_open is not None:
            freed.due_at = still_open.expires_at
        elif freed.end <= now:
            freed.done_at = now
        elif in_quiet_hours(now):
            freed.due_at = next_allowed(now)
        else:
            offers = _offer_round(freed, now)
            if offers:
                freed.due_at = min(offer.expires_at for offer in offers)
            else:
                freed.done_at = now
        freed.save(update_fields=["due_at", "done_at"])
    return offers


def offer_due_freed_time(*, now: datetime | None = None, limit: int = 100) -> int:
    """The minutely catch-up (beat): every freed time that is due. Returns how many offers."""
    now = now or timezone.now()
    due = FreedTime.objects.filter(done_at__isnull=True, due_at__lte=now).order_by("due_at", "pk")
    return sum(len(offer_freed_time(freed_id=pk, now=now)) for pk in due.values_list("pk", flat=True)[:limit])


def _candidates(freed: FreedTime, now: datetime):
    """Waiting entries this therapist could see, in the order they joined; not those already
    offered this time, nor those holding an open offer of other time."""
    therapist = freed.therapist
    busy = WaitListOffer.objects.filter(status=WaitListOffer.Status.OFFERED, expires_at__gt=now).values("entry_id")
    return (
        WaitListEntry.objects.waiting(timezone.localtime(now).date())
        .filter(Q(therapist=therapist) | Q(therapist__isnull=True), length__in=therapist.lengths.bookable())
        .filter(last_day__gte=timezone.localtime(freed.start).date())
        .exclude(offers__freed=freed)
        .exclude(pk__in=busy)
        .select_related("length")
        .order_by("created_at", "pk")
    )


def _offer_round(freed: FreedTime, now: datetime) -> list[WaitListOffer]:
    therapist = freed.therapist
    if not therapist.active:
        return []
    policy = BookingPolicy.from_settings()
    free_by_length: dict[int, list[datetime]] = {}

    def free_starts(length: TreatmentLength) -> list[datetime]:
        if length.pk not in free_by_length:
            found = find_free_starts(
                therapist_ids=[therapist.pk],
                length=length,
                first_day=timezone.localtime(freed.start).date(),
                last_day=timezone.localtime(freed.end).date(),
                now=now,
                policy=policy,
            )
            starts = sorted(s for day_starts in found.get(therapist.pk, {}).values() for s in day_starts)
            # Starts that use some of the freed time (the rest of the diary was free before), the
            # freed slot's own start first.
            using = [s for s in starts if s < freed.end and s + length.duration > freed.start]
            free_by_length[length.pk] = sorted(using, key=lambda s: (s < freed.start, s))
        return free_by_length[length.pk]

    offers = []
    for entry in _candidates(freed, now):
        start = next((s for s in free_starts(entry.length) if entry.suits(s)), None)
        if start is None or TextConsent.objects.opted_out(entry.phone):
            continue
        offers.append(_offer(freed, entry, start, now, policy))
        if len(offers) == ROUND_SIZE:
            break
    return offers


def _offer(freed, entry, start, now, policy) -> WaitListOffer:
    offer = WaitListOffer.objects.create(
        freed=freed,
        entry=entry,
        therapist=freed.therapist,
        length=entry.length,
        start=start,
        offered_at=now,
        expires_at=min(now + OFFER_LIFETIME, start - policy.min_notice),
    )
    queue_sms(kind=Kind.WAITLIST_OFFER, to=entry.phone, context=offer_text_context(offer), about=offer)
    return offer


def offer_text_context(offer: WaitListOffer) -> dict:
    """What the offer text says; the therapist's first name only if the text would be longer than
    two segments (a long name, a long clinic name and the link can do that)."""
    local, until = timezone.localtime(offer.start), timezone.localtime(offer.expires_at)
    context = {
        "first_name": (offer.entry.name.split() or [""])[0][:20],
        "minutes": offer.length.minutes,
        "treatment": offer.length.treatment.name if names_treatments() else "",  # "a 30-minute Sports massage slot"
        "when": f"{local:%a} {local.day} {local:%b} {local:%H:%M}",
        "therapist": offer.therapist.name,
        "claim_url": settings.PUBLIC_BASE_URL.rstrip("/") + reverse("bookings:offer", args=[tokens.offer_token(offer)]),
        "until": f"{until:%H:%M}",
    }
    if gsm.segments(render_sms(Kind.WAITLIST_OFFER, context)) > MAX_SEGMENTS:
        context["therapist"] = (offer.therapist.name.split() or [""])[0][:20]
    return context


# --- claiming ----------------------------------------------------------------------------------


def claim_offer(*, offer: WaitListOffer, screening=None, consents: tuple[str, ...] = ()) -> Appointment:
    """Book the offered time for the entry's patient through `create_booking` (with their health
    answers and consent ticks, as the booking flow passes them).

    The first claim of a time wins; the entry is then booked and its other offers withdrawn.
    Claiming the same offer again returns its appointment (a double tap). Raises
    `OfferUnavailable`: "taken" (someone was quicker, or the time is no longer bookable), "expired"
    or "withdrawn"; the offer's new status is kept, and the entry stays on the list. "busy" when a
    lock was held past the database's lock_timeout: nothing changed, the offer is still open.
    """
    try:
        return _claim(offer=offer, screening=screening, consents=consents)
    except Busy as error:
        raise OfferUnavailable(error.message, reason="busy") from error
    except OperationalError as error:
        if not is_lock_timeout(error):
            raise
        raise OfferUnavailable(Busy.default_message, reason="busy") from error


def _claim(*, offer: WaitListOffer, screening, consents: tuple[str, ...]) -> Appointment:
    refusal = None
    with transaction.atomic():
        current = (
            WaitListOffer.objects.select_for_update().select_related("entry", "length", "therapist").get(pk=offer.pk)
        )
        if current.status == WaitListOffer.Status.CLAIMED and current.appointment_id:
            return current.appointment
        if current.status == WaitListOffer.Status.TOO_LATE:
            raise OfferUnavailable(TOO_LATE, reason="taken")
        if current.status == WaitListOffer.Status.EXPIRED:
            raise OfferUnavailable(EXPIRED, reason="expired")
        if current.status != WaitListOffer.Status.OFFERED or current.entry.status != WaitListEntry.Status.WAITING:
            raise OfferUnavailable(WITHDRAWN, reason="withdrawn")
        now = timezone.now()
        if current.expires_at <= now:
            current.status, refusal = WaitListOffer.Status.EXPIRED, OfferUnavailable(EXPIRED, reason="expired")
        else:
            entry = current.entry
            try:
                appointment = create_booking(
                    length=current.length,
                    therapist=current.therapist,
                    start=current.start,
                    patient=PatientDetails(name=entry.name, phone=entry.phone),
                    screening=screening,
                    consents=consents,
                    source=Appointment.Source.ONLINE,
                    idempotency_key=f"wait-list-offer-{current.pk}",
                )
            except Busy:
                raise  # nothing changes: the whole claim is rolled back and may be tried again
            except SlotUnavailable:
                current.status, refusal = WaitListOffer.Status.TOO_LATE, OfferUnavailable(TOO_LATE, reason="taken")
            except BookingError as error:
                # Not bookable any more for another reason (the patient holds a clashing booking,
                # the length was withdrawn): their words, not "someone was quicker".
                current.status, refusal = (
                    WaitListOffer.Status.WITHDRAWN,
                    OfferUnavailable(error.message, reason="withdrawn"),
                )
            else:
                current.status, current.appointment = WaitListOffer.Status.CLAIMED, appointment
                WaitListEntry.objects.filter(pk=entry.pk).update(
                    status=WaitListEntry.Status.BOOKED, appointment=appointment
                )
                withdraw_offers(entry, keep=current)
        current.answered_at = now
        current.save(update_fields=["status", "appointment", "answered_at"])
    if refusal is not None:
        raise refusal
    return current.appointment
