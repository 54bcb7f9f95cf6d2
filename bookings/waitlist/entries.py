"""Joining and leaving the wait list: a patient online (mobile confirmed with a texted code, the
same check as "My bookings"), or reception for a patient who phoned."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from clinic.codes.services import CodeError, request_code, verify_code
from clinic.core import admin_log
from clinic.core.personal_data import Applied
from clinic.sms.models import Message, TextConsent
from therapists.models import Therapist

from ..lengths import sessions
from ..models import TreatmentLength
from .models import LONGEST_WAIT_DAYS, PARTS, WaitListEntry, WaitListOffer

CODE_PURPOSE = "wait_list"
# An entry whose mobile was never confirmed is deleted after this by retention (it holds a name and
# a number nobody proved was theirs).
UNCONFIRMED_KEPT = timedelta(days=1)


class WaitListError(Exception):
    """A wait-list request was refused; `message` is safe to show to whoever asked."""

    def __init__(self, message: str):
        self.message = message
        super().__init__(message)


@dataclass(frozen=True)
class Wish:
    """What would suit: a length, a therapist (None for anyone), weekdays, parts of day, until."""

    length: TreatmentLength
    therapist: Therapist | None
    days: list[int]
    parts: list[str]
    last_day: date


def check_wish(wish: Wish, today: date) -> None:
    """Raise `WaitListError` if the wish cannot be met (a read, for forms and the services)."""
    if not wish.length.active or not wish.length.treatment.active:
        raise WaitListError("That treatment length is no longer offered.")
    if wish.therapist is not None and not wish.length.therapists.filter(pk=wish.therapist.pk).exists():
        raise WaitListError(f"{wish.therapist.name} does not offer {sessions(wish.length)}.")
    if not wish.days or any(not 0 <= d <= 6 for d in wish.days):
        raise WaitListError("Choose at least one day of the week.")
    if not wish.parts or any(p not in PARTS for p in wish.parts):
        raise WaitListError("Choose at least one part of the day.")
    if not today <= wish.last_day <= today + timedelta(days=LONGEST_WAIT_DAYS):
        raise WaitListError(
            f"The wait list looks up to {LONGEST_WAIT_DAYS // 7} weeks ahead. Please choose an earlier day."
        )


def _entry(name: str, phone, wish: Wish, **fields) -> WaitListEntry:
    return WaitListEntry.objects.create(
        name=" ".join(name.split())[:120],
        phone=phone,
        length=wish.length,
        therapist=wish.therapist,
        days="".join(str(d) for d in sorted(set(wish.days))),
        parts=",".join(p for p in PARTS if p in wish.parts),
        last_day=wish.last_day,
        **fields,
    )


def join_wait_list(*, name: str, phone, wish: Wish) -> WaitListEntry:
    """A patient asks online to be texted if a time that suits comes free.

    Writes an unconfirmed entry and asks for a code to the mobile (texted after commit); the
    entry waits once `confirm_wait_list_entry` checks the code. Raises `WaitListError` for a wish
    that cannot be met, a number that opted out of our texts (STOP), or too many codes lately.
    """
    check_wish(wish, timezone.localdate())
    if TextConsent.objects.opted_out(phone):
        raise WaitListError(
            "This number has opted out of texts from us (it replied STOP), so we could not text you an offer. "
            "Reply START to any text from us, then join the list."
        )
    try:
        with transaction.atomic():
            entry = _entry(name, phone, wish, source=WaitListEntry.Source.ONLINE)
            request_code(phone=phone, purpose=CODE_PURPOSE)
    except CodeError as error:
        raise WaitListError(error.message) from error
    return entry


def send_new_code(*, entry: WaitListEntry) -> None:
    """Text another code for an unconfirmed entry. Raises `WaitListError` if it is not waiting
    for one, or after too many codes."""
    if entry.status != WaitListEntry.Status.UNCONFIRMED:
        raise WaitListError("Your place on the wait list is already confirmed.")
    try:
        request_code(phone=entry.phone, purpose=CODE_PURPOSE)
    except CodeError as error:
        raise WaitListError(error.message) from error


def confirm_wait_list_entry(*, entry: WaitListEntry, code: str) -> WaitListEntry:
    """Check the texted code; if right, the entry joins the list (its place counts from when the
    patient asked). Wrong tries count even though this raises `WaitListError`."""
    if entry.status == WaitListEntry.Status.WAITING:
        return entry
    if entry.status != WaitListEntry.Status.UNCONFIRMED:
        raise WaitListError("This wait-list request has expired. Please join the list again.")
    try:
        verify_code(phone=entry.phone, purpose=CODE_PURPOSE, code=code)
    except CodeError as error:
        raise WaitListError(error.message) from error
    with transaction.atomic():
        updated = WaitListEntry.objects.filter(pk=entry.pk, status=WaitListEntry.Status.UNCONFIRMED).update(
            status=WaitListEntry.Status.WAITING, confirmed_at=timezone.now()
        )
    entry.refresh_from_db()
    if not updated and entry.status != WaitListEntry.Status.WAITING:
        raise WaitListError("This wait-list request has expired. Please join the list again.")
    return entry


def add_to_wait_list(*, name: str, phone, wish: Wish, note: str = "", by_user=None) -> WaitListEntry:
    """Reception puts a patient who phoned on the list (waiting at once: they have the number).
    Raises `WaitListError` for a wish that cannot be met."""
    check_wish(wish, timezone.localdate())
    return _entry(
        name,
        phone,
        wish,
        source=WaitListEntry.Source.RECEPTION,
        status=WaitListEntry.Status.WAITING,
        confirmed_at=timezone.now(),
        note=note.strip()[:200],
        created_by=by_user,
    )


def leave_wait_list(*, entry: WaitListEntry) -> WaitListEntry:
    """Take the entry off the list; its open offers are withdrawn. Leaving twice is harmless."""
    with transaction.atomic():
        current = WaitListEntry.objects.select_for_update().get(pk=entry.pk)
        if current.status in (WaitListEntry.Status.WAITING, WaitListEntry.Status.UNCONFIRMED):
            current.status = WaitListEntry.Status.LEFT
            current.save(update_fields=["status"])
            withdraw_offers(current)
    return current


def withdraw_offers(entry: WaitListEntry, *, keep=None) -> int:
    """Withdraw the entry's open offers (but `keep`); the caller holds the entry's transaction."""
    return (
        WaitListOffer.objects.filter(entry=entry, status=WaitListOffer.Status.OFFERED)
        .exclude(pk=keep.pk if keep else None)
        .update(status=WaitListOffer.Status.WITHDRAWN, answered_at=timezone.now())
    )


def expire_wait_list(*, now=None) -> int:
    """Entries past their last day expire (retention deletes them later: `personal_data`).
    Returns how many expired."""
    now = now or timezone.now()
    return WaitListEntry.objects.filter(
        status=WaitListEntry.Status.WAITING, last_day__lt=timezone.localtime(now).date()
    ).update(status=WaitListEntry.Status.EXPIRED)


def delete_entries(*, entries) -> Applied:
    """Delete wait-list entries with their offers and the texts about those offers (erasure,
    retention), and forget their admin log entries. Returns how many entries went and every
    object that went with them."""
    entries = list(entries)
    offers = list(WaitListOffer.objects.filter(entry__in=entries))
    gone = [*entries, *offers, *(m for offer in offers for m in Message.objects.about(offer))]
    with transaction.atomic():
        # The offers' texts go with them (their GenericRelation), the offers with the entries.
        WaitListEntry.objects.filter(pk__in=[e.pk for e in entries]).delete()
        admin_log.forget(gone)
    return Applied(len(entries), gone)
