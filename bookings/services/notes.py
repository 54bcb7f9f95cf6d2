"""The patient's note on an appointment: clinical information, written only through here."""

from __future__ import annotations

from django.db import transaction

from ..models import Appointment


def update_note(*, appointment: Appointment, note: str, by_user=None) -> Appointment:
    """Replace the appointment's note, recording who changed it in the history.

    The caller checks the clinical-notes permission (the admin shows the field only to its
    holders); this never logs or copies the note anywhere else.
    """
    with transaction.atomic():
        current = Appointment.objects.select_for_update().get(pk=appointment.pk)
        if current.note == note:
            return current
        current.note = note
        current._history_user = by_user
        current.save(update_fields=["note", "updated_at"])
    return current
