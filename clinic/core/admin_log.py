"""The admin's own log (django.contrib.admin's LogEntry) as personal data.

Its `object_repr` is the object's text at the time ("Cara Callback (07700 900321)"), so it holds
a patient's name and number long after the row itself has changed. It follows its object: an
erased object's entries lose their text, a deleted object's entries go.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q

from .personal_data import Category, Subject, by_content_type

ERASED_REPR = "[erased]"


def entries_about(objects: Iterable[models.Model]) -> models.QuerySet:
    """The admin log entries about any of `objects`."""
    condition = Q(pk__in=[])
    for model, pks in by_content_type(objects).items():
        content_type = ContentType.objects.get_for_model(model, for_concrete_model=True)
        condition |= Q(content_type=content_type, object_id__in=[str(pk) for pk in pks])
    return LogEntry.objects.filter(condition)


def _neutral_change_message(text: str) -> str:
    """Keep which fields changed; drop the names of related objects ("added call attempt X")."""
    try:
        changes = json.loads(text or "[]")
    except ValueError:
        return ""
    if not isinstance(changes, list):
        return ""
    for change in changes:
        for details in change.values() if isinstance(change, dict) else ():
            if isinstance(details, dict) and "object" in details:
                details["object"] = ERASED_REPR
    return json.dumps(changes)


def scrub(objects: Iterable[models.Model]) -> int:
    """Remove the text of every entry about `objects`; returns how many entries changed."""
    changed = 0
    for entry in entries_about(objects).exclude(object_repr=ERASED_REPR):
        entry.object_repr = ERASED_REPR
        entry.change_message = _neutral_change_message(entry.change_message)
        entry.save(update_fields=["object_repr", "change_message"])
        changed += 1
    return changed


def forget(objects: Iterable[models.Model]) -> int:
    """Delete the entries about `objects` (they were deleted themselves)."""
    deleted, _ = entries_about(objects).delete()
    return deleted


def _export(subject: Subject) -> list[dict]:
    return [
        {
            "when": entry.action_time,
            "staff": entry.user.get_username() if entry.user_id else "",
            "action": {1: "added", 2: "changed", 3: "deleted"}.get(entry.action_flag, ""),
            "record": f"{entry.content_type.name} {entry.object_id}" if entry.content_type_id else "",
            "as shown": entry.object_repr,
            "change": entry.get_change_message(),
        }
        for entry in entries_about(subject.objects).select_related("user", "content_type").order_by("action_time")
    ]


def _preview(subject: Subject) -> str:
    count = entries_about(subject.objects).exclude(object_repr=ERASED_REPR).count()
    return f"{count} admin log entr{'y' if count == 1 else 'ies'}: the name shown in each is removed." if count else ""


CATEGORY = Category(
    key="core.admin_log",
    title="Admin log",
    order=90,
    holds="A log of the changes staff make in the clinic's system, naming the record changed.",
    purpose="To show who changed what and when (accountability and security).",
    lawful_basis="Legitimate interests: keeping our records accurate and secure.",
    export=_export,
    erase=lambda subject: scrub(subject.objects),
    preview=_preview,
)
