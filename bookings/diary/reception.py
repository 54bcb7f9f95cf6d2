"""Everything reception needs on a diary block (a `BlockExtension`, registered in
`BookingsConfig.ready`): the patient's mobile, with a "Call" link to tap on a tablet, first visit, "Session 2 of 6", a
note indicator (its words only for the clinical-notes permission), how the confirmation text
fared, a reminder that failed, and the patient's other appointments that day (an overlapping one
as a warning). The cheap facts are read in the diary's appointment query (`facts.annotations`),
the texts and other appointments in two more queries for the whole page (one for the whole
clinic's day, where no other therapist's appointment lies outside the page).

Blocks reception may move also carry what `static/js/diary_move.js` needs to drag them or move
them from the keyboard: the appointment and its version (when it was last changed, so a move made
on a stale page is refused rather than overwriting someone else's change).
"""

from __future__ import annotations

from functools import lru_cache

from django.db.models import BooleanField, CharField, ExpressionWrapper, F, Q
from phonenumber_field.phonenumber import PhoneNumber

from .blocks import Action, Badge, BlockExtension, Line
from .facts import annotations, facts_of, load_texts_and_others

TEXT_BADGES = {
    "delivered": "badge-ok",
    "sent": "badge-quiet",
    "queued": "badge-quiet",
    "failed": "badge-warning",
    "unknown": "badge-warning",
}
NOTE_HIDDEN = "There is a note (shown to staff allowed to see patients' notes)"


@lru_cache(maxsize=8192)
def national(e164: str) -> str:
    """'07700 900123' for '+447700900123'. Parsing a number costs about half a millisecond, and a
    big diary shows a thousand: each number is formatted once per process."""
    return PhoneNumber.from_string(e164).as_national


def may_move(viewer) -> bool:
    user = viewer.user
    return bool(user is not None and user.has_perm("bookings.change_appointment"))


def _prepare(rows, viewer, whole_clinic) -> None:
    seen = load_texts_and_others(rows, others=not whole_clinic)
    movable = may_move(viewer)  # once per page, not a permission check per block
    for row in rows:
        row["reception_seen"] = seen.get(row["pk"])
        row["reception_may_move"] = movable
        # For the live diary's token (live.token_of): the page needs no query of its own for it.
        row["texts_changed"] = row["reception_seen"].texts_changed if row["reception_seen"] else None


def _apply(block, row, viewer) -> None:
    facts = facts_of(row, row.get("reception_seen"))
    phone = row.get("reception_phone")  # E.164, as stored
    if phone:
        number = national(phone)
        block.lines.append(Line(number, css="block-phone"))
        block.actions.append(Action("Call", f"tel:{phone}", "block-call", f"Call {block.patient_name} on {number}"))
    for kind, words in facts.badges():
        css = "badge-warning" if kind == "warning" else "badge-info"
        if words == facts.text_label:
            continue  # the text's own badge follows, styled by how it fared
        block.badges.append(Badge(words, css=css))
    if facts.text_state:
        block.badges.append(Badge(facts.text_label, css=TEXT_BADGES[facts.text_state]))
    if row.get("reception_has_note"):
        block.badges.append(Badge("Note", css="badge-note", title=block.note if viewer.can_see_notes else NOTE_HIDDEN))
    # An id, so the live diary's redraw keeps the keyboard's focus on the same block.
    block.attrs["id"] = f"appointment-{block.pk}"
    if block.holds_time and row.get("reception_may_move"):
        # Where the block is (therapist, time) the script reads from the grid itself.
        block.attrs.update(
            {
                "data-appointment": str(block.pk),
                "data-version": row["updated_at"].isoformat(),
                "draggable": "true",
                "aria-keyshortcuts": "M",
            }
        )


EXTENSION = BlockExtension(
    name="reception",
    values=("patient_id", "course_id", "updated_at", "therapist__name"),
    annotations={
        **annotations(),
        # The stored string, not a parsed PhoneNumber (see `national`).
        "reception_phone": lambda: ExpressionWrapper(F("patient__phone"), output_field=CharField()),
        "reception_has_note": lambda: ExpressionWrapper(~Q(note=""), output_field=BooleanField()),
    },
    prepare=_prepare,
    apply=_apply,
)
