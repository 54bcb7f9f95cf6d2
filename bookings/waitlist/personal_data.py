"""The wait list as personal data (`clinic.core.personal_data`): each entry holds a name, a mobile
and the times that would suit; its offers (and their texts) go with it.

Erasure deletes the subject's entries. Retention deletes entries 30 days after their last day
(reception sees who was offered what for a month), and unconfirmed ones a day after they were made
(nobody proved the number was theirs).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import models
from django.db.models import Q
from django.utils import timezone

from clinic.core.personal_data import Category, Retention, Subject

from .entries import UNCONFIRMED_KEPT, delete_entries
from .models import WaitListEntry, WaitListOffer

KEPT_AFTER_LAST_DAY = timedelta(days=30)


def entries_of(subject: Subject) -> models.QuerySet:
    return WaitListEntry.objects.filter(phone__in=subject.phones) if subject.phones else WaitListEntry.objects.none()


def _objects(subject: Subject) -> list[models.Model]:
    entries = list(entries_of(subject))
    return [*entries, *WaitListOffer.objects.filter(entry__in=entries)]


def _export(subject: Subject) -> list[dict]:
    return [
        {
            "joined": entry.created_at,
            "name given": entry.name,
            "mobile": str(entry.phone),
            "length": f"{entry.length.minutes} minutes",
            "therapist": str(entry.therapist or "anyone"),
            "days": entry.days_display,
            "times of day": entry.parts_display,
            "until": entry.last_day,
            "status": entry.get_status_display(),
            "offers": [
                {"time offered": offer.start, "texted": offer.offered_at, "outcome": offer.get_status_display()}
                for offer in entry.offers.all()
            ],
        }
        for entry in entries_of(subject).select_related("length", "therapist").prefetch_related("offers")
    ]


def _preview(subject: Subject) -> str:
    count = entries_of(subject).count()
    return f"{count} wait-list entr{'ies' if count != 1 else 'y'}: deleted, with their offers." if count else ""


def _expired(now: datetime) -> models.QuerySet:
    today = timezone.localtime(now).date()
    return WaitListEntry.objects.filter(
        Q(last_day__lt=today - KEPT_AFTER_LAST_DAY)
        | Q(status=WaitListEntry.Status.UNCONFIRMED, created_at__lt=now - UNCONFIRMED_KEPT)
    )


CATEGORY = Category(
    key="bookings.wait_list",
    title="Wait list",
    order=25,
    holds="Your name and mobile, the times that would suit you, and the offers we texted you.",
    purpose="To text you when a time that suits you comes free.",
    lawful_basis="Legitimate interests and steps before a contract: offering you the time you asked for.",
    objects=_objects,
    export=_export,
    erase=lambda subject: delete_entries(entries=entries_of(subject)).count,
    preview=_preview,
    shared_with=("sms",),
    retention=(
        Retention(
            key="bookings.wait_list",
            action="wait-list entries deleted",
            notice=lambda: (
                "wait-list entries are deleted 30 days after the last day they were for "
                "(a day after joining if the mobile was never confirmed)"
            ),
            candidates=_expired,
            apply=lambda rows, now: delete_entries(entries=rows),
            deletes=True,
        ),
    ),
)
