"""The screening badge on every diary block: not yet screened, screened, flagged, referral, and
"answers changed during booking". It names no condition, so every viewer of the diary sees it;
the answers themselves stay on the appointment page for the clinical-notes permission."""

from __future__ import annotations

from ..diary import Badge, BlockExtension
from ..models import screening_badges

TITLE = "Health screening (the answers are on the appointment page)"


def _add_badges(block, row, viewer) -> None:
    for css, label in screening_badges(row["screening_status"], row["answers_changed"]):
        block.badges.append(Badge(label, css=f"screening-badge screening-{css}", title=TITLE))


EXTENSION = BlockExtension(name="screening", values=("screening_status", "answers_changed"), apply=_add_badges)
