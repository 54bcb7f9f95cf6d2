"""The day's diary page as reception sees it, kept in the shared cache between writes.

A 40-therapist day is a thousand blocks: read, prepared and written out as HTML it costs a couple
of hundred milliseconds, and reception looks at it all day (every tablet at the desk, the page's
five-minute reload, the live diary's redraw on each open page after a change). What it shows is
a function of a few inputs, each with a version that every write to it bumps after commit
(`clinic.core.versions`):

- `setup`: therapists, hours, absences, closures, treatments and lengths, the clinic settings;
- `diary:pages` (`models.DIARY_PAGES`): every write to an appointment or a patient, whatever it
  changes (so a block's facts too: first visit, "session 2 of 6", the patient's other visits);
- `sms:texts` (`clinic.sms.models.TEXTS`): every write to a text (the blocks' text badges).

The rest goes in the key: the day, what the viewer may do (book, see notes, move: the only
things the block extensions ask of a viewer), which extensions are registered, whose column a
therapist's login sees, the quarter hour of "now" on today's page (the rows are quarter hours
aligned to the clock, so the "now" line moves only between them), the time zone and the
language. Any write to an input gives it a new version, so a page is never read after something
on it changed; the cost is that any write in the clinic makes the next look compute the page
again (`bench/diary.py` measures both).

A cache outage means computing the page, as before the cache (`versions.cached`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.utils import timezone, translation
from django.utils.safestring import SafeString

from clinic.core.versions import SETUP, cached
from clinic.sms.models import TEXTS

from ..models import DIARY_PAGES, local_day_bounds
from .blocks import Block, Viewer, extensions
from .day import load_day
from .html import cancelled_html, heads_html, rows_html
from .reception import may_move
from .setup import ClosedDay

QUARTER_HOUR = 15 * 60
# A page is a megabyte for a 40-therapist day, and each write makes the next look store a new one:
# the old ones are never read again, so they need not wait an hour to go.
PAGE_SECONDS = 15 * 60


@dataclass(frozen=True)
class ColumnHead:
    key: int
    label: str
    url: str


@dataclass(frozen=True)
class NoteShown:
    """A block whose clinical note the page shows (for the record of who saw whose note)."""

    patient_id: int | None
    note: bool = True


@dataclass(frozen=True)
class DayPage:
    """What the day's page prints, ready: the column heads, the grid's rows as HTML, the day's
    cancelled and no-show appointments, the closure, and the live diary's token for it."""

    day: date
    columns: list[ColumnHead]
    heads: SafeString  # the columns' `<th>` elements
    rows: SafeString
    not_in_grid: list[Block]
    cancelled: SafeString  # not_in_grid's `<li>` elements
    closure: ClosedDay | None
    token: str
    notes_shown: list[NoteShown]


def day_page(day: date, *, viewer: Viewer, only_therapist_user=None, now: datetime | None = None) -> DayPage:
    """The day's page for this viewer, from the shared cache when nothing on it has changed."""
    now = now or timezone.now()
    viewer_key = "".join("1" if flag else "0" for flag in (viewer.can_book, viewer.can_see_notes, may_move(viewer)))
    own = str(only_therapist_user.pk) if only_therapist_user is not None else "-"
    # Only today's page has a "now" line.
    day_start, day_end = local_day_bounds(day)
    quarter = str(int(now.timestamp()) // QUARTER_HOUR) if day_start <= now < day_end else "-"
    key = ":".join(
        [
            "diary-page",
            day.isoformat(),
            viewer_key,
            own,
            quarter,
            timezone.get_current_timezone_name(),
            translation.get_language() or "",
            # The features adding to the blocks (registered at start-up; tests add their own).
            ",".join(sorted(extension.name for extension in extensions())),
        ]
    )
    return cached(
        key,
        depends_on=[SETUP, DIARY_PAGES, TEXTS],
        compute=lambda: _make(day, viewer=viewer, only_therapist_user=only_therapist_user, now=now),
        timeout=PAGE_SECONDS,
        # In the shared cache only: a worker's own copies are bounded by count, not size.
        local=False,
    )


def _make(day: date, *, viewer: Viewer, only_therapist_user, now: datetime) -> DayPage:
    diary = load_day(day, only_therapist_user=only_therapist_user, now=now, viewer=viewer)
    blocks = [block for column in diary.grid.columns for block in column.appointments] + diary.not_in_grid
    columns = [ColumnHead(column.key, column.label, column.url) for column in diary.grid.columns]
    return DayPage(
        day=day,
        columns=columns,
        heads=heads_html(columns),
        rows=rows_html(diary.grid),
        not_in_grid=diary.not_in_grid,
        cancelled=cancelled_html(diary.not_in_grid),
        closure=diary.closure,
        token=diary.token,
        notes_shown=[NoteShown(block.patient_id) for block in blocks if block.note],
    )
