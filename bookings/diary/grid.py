"""The diary's grid from plain values (pure: no queries, no clock): rows of 15-minute slots, a column
per therapist (day view) or per day (week view), and cells merged into appointment blocks and
shaded runs. Clock-change days and odd placements are tested here without a database.

Rows are 15-minute slots. In the day view a row is 15 *elapsed* minutes from the first working
minute of the day, so on the spring clock change 01:00-01:59 is simply absent and in autumn
01:00-01:59 appears twice (labelled BST and GMT). The week view's rows are wall-clock times shared
by seven days, so a wall time that does not exist on one day is shown as a gap.

The grid becomes an HTML table with rowspans: CSP forbids style attributes, a table needs none,
and it prints well.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from django.utils import timezone

from ..models import local_day_bounds

STEP = timedelta(minutes=15)
Span = tuple[datetime, datetime]

FREE = "free"
APPOINTMENT = "appointment"
BUFFER = "buffer"
OFF = "off"
ABSENT = "absent"
CLOSED = "closed"
GAP = "gap"

# What a shaded run of cells says (screen readers and print read the text, not the shading).
LABELS = {
    BUFFER: "Clearing up",
    OFF: "Not working",
    ABSENT: "Away",
    CLOSED: "Clinic closed",
    GAP: "Clock change",
}


@dataclass(frozen=True)
class Slot:
    start: datetime
    end: datetime


@dataclass
class Cell:
    kind: str
    rowspan: int = 1
    label: str = ""
    slot: Slot | None = None  # the first slot the cell covers
    block: object | None = None  # the appointment's `blocks.Block`
    column: object | None = None
    # Filled in by `dress` for the template, which only prints them.
    css: str = ""
    url: str = ""  # a free cell's link to book it ("" when the viewer cannot book)
    text: str = ""  # a free cell's words for screen readers
    # An appointment's length as its block shows it: with the treatment when the block is tall
    # enough. On the cell, not the block: a block may be reused in another drawing of the page.
    length_label: str = ""


@dataclass
class Column:
    """One column's inputs: the slots of its rows and what happens in them (aware instants)."""

    key: object
    label: str
    slots: Sequence[Slot | None]
    working: Sequence[Span] = ()
    absences: Sequence[tuple[datetime, datetime, str]] = ()
    closed: str | None = None  # the closure's reason ("" for none given), or None if open
    appointments: Sequence = ()  # objects with start, end, blocked_until (blocks, in the diary)
    therapist: object | None = None
    day: date | None = None
    cells: list[Cell | None] = field(default_factory=list)
    url: str = ""  # the header's link: the therapist's week (day view) or the day (week view)


@dataclass
class Row:
    index: int
    label: str
    slot: Slot | None
    cells: list[Cell]
    is_now: bool = False
    on_the_hour: bool = False
    css: str = ""
    start_ts: str = ""  # Unix seconds, for the script that moves the "now" line
    end_ts: str = ""


@dataclass
class Grid:
    columns: list[Column]
    rows: list[Row]
    now_label: str = ""


# --- time helpers ------------------------------------------------------------------------------


def existing_instant(day: date, wall: time, tz: tzinfo) -> datetime | None:
    """The first instant a wall time happens on `day`, or None if the clocks skip it."""
    naive = datetime.combine(day, wall)
    first = naive.replace(tzinfo=tz, fold=0)
    second = naive.replace(tzinfo=tz, fold=1)
    if first.utcoffset() < second.utcoffset():
        return None  # spring forward: this wall time never happens
    return first.astimezone(UTC)


def _floor(instant: datetime) -> datetime:
    seconds = int(instant.timestamp())
    return datetime.fromtimestamp(seconds - seconds % int(STEP.total_seconds()), UTC)


def _ceil(instant: datetime) -> datetime:
    floored = _floor(instant)
    return floored if floored == instant else floored + STEP


def day_slots(day: date, spans: Iterable[Span], tz: tzinfo) -> list[Slot]:
    """15-minute elapsed-time slots covering `spans` (rounded out to the quarter hour), within the day."""
    spans = list(spans)
    if not spans:
        return []
    day_start, day_end = local_day_bounds(day)
    # In UTC: adding 15 minutes to a zone-aware datetime is wall-clock arithmetic in Python.
    first = max(_floor(min(s for s, _ in spans)), day_start.astimezone(UTC))
    last = min(_ceil(max(e for _, e in spans)), day_end.astimezone(UTC))
    slots = []
    at = first
    while at < last:
        slots.append(Slot(at, at + STEP))
        at += STEP
    return slots


def slot_labels(slots: Sequence[Slot | None], tz: tzinfo) -> list[str]:
    """HH:MM in local time; a time that happens twice (autumn) gets its zone name, e.g. 01:30 BST."""
    walls = [timezone.localtime(s.start, tz).strftime("%H:%M") if s else "" for s in slots]
    repeated = {w for w in walls if w and walls.count(w) > 1}
    return [
        f"{w} {timezone.localtime(s.start, tz).tzname()}" if w in repeated else w
        for w, s in zip(walls, slots, strict=True)
    ]


def _covers(spans: Iterable[Span], start: datetime, end: datetime) -> bool:
    return any(s <= start and end <= e for s, e in spans)


# --- the grid ----------------------------------------------------------------------------------


def fill_column(column: Column) -> list[Cell | None]:
    """The column's cells, one per row: a Cell where it starts, None where a rowspan covers the row."""
    slots = column.slots
    n = len(slots)
    cells: list[Cell | None] = [None] * n
    taken = [False] * n

    # Appointments come sorted by start, so the first row ending after one's start only moves
    # down: one pass over the rows for the whole column instead of one per appointment.
    first_candidate = 0
    for appointment in sorted(column.appointments, key=lambda a: a.start):
        while first_candidate < n and (
            slots[first_candidate] is None or slots[first_candidate].end <= appointment.start
        ):
            first_candidate += 1
        first = next((r for r in range(first_candidate, n) if slots[r] and not taken[r]), None)
        if first is None or slots[first].start >= appointment.end:
            continue  # entirely outside the rows shown (cannot happen in the day view)
        last = first
        while (
            last + 1 < n
            and not taken[last + 1]
            and (slots[last + 1] is None or slots[last + 1].start < appointment.end)
        ):
            last += 1
        while last > first and slots[last] is None:
            last -= 1
        cells[first] = Cell(APPOINTMENT, rowspan=last - first + 1, slot=slots[first], block=appointment, column=column)
        for r in range(first, last + 1):
            taken[r] = True

    classify = _classifier(column)
    r = 0
    while r < n:
        if taken[r]:
            r += 1
            continue
        kind, label = classify(slots[r])
        if kind == FREE:
            cells[r] = Cell(FREE, slot=slots[r], column=column)
            r += 1
            continue
        end = r + 1
        while end < n and not taken[end] and classify(slots[end]) == (kind, label):
            end += 1
        cells[r] = Cell(kind, rowspan=end - r, label=label, slot=slots[r], column=column)
        r = end
    column.cells = cells
    return cells


def _classifier(column: Column):
    """What an empty slot of this column is: free, or a shaded kind with its words."""
    closed = None
    if column.closed is not None:
        closed = (CLOSED, f"{LABELS[CLOSED]}: {column.closed}" if column.closed else LABELS[CLOSED])
    absences = [(s, e, (ABSENT, f"{LABELS[ABSENT]}: {r}" if r else LABELS[ABSENT])) for s, e, r in column.absences]
    # Only appointments followed by clearing-up time shade anything after them.
    buffers = [(a.end, held) for a in column.appointments if (held := getattr(a, "blocked_until", a.end)) > a.end]
    working = column.working

    def classify(slot: Slot | None) -> tuple[str, str]:
        if slot is None:
            return GAP, LABELS[GAP]
        if closed:
            return closed
        for s, e, kind in absences:
            if s < slot.end and e > slot.start:
                return kind
        for s, e in buffers:
            if slot.end > s and slot.start < e:
                return BUFFER, LABELS[BUFFER]
        if _covers(working, slot.start, slot.end):
            return FREE, ""
        return OFF, LABELS[OFF]

    return classify


def build_grid(columns: list[Column], labels: Sequence[str], *, now: datetime | None = None) -> Grid:
    """Rows of cells for an HTML table; `now` marks the row it falls in (the "now" line)."""
    for column in columns:
        fill_column(column)
    slots = columns[0].slots if columns else []
    rows = []
    for r, label in enumerate(labels):
        slot = slots[r] if r < len(slots) else None
        is_now = bool(now and slot and slot.start <= now < slot.end)
        on_the_hour = label.endswith(":00") or ":00 " in label
        rows.append(
            Row(
                index=r,
                label=label,
                slot=slot,
                cells=[c.cells[r] for c in columns if c.cells[r] is not None],
                is_now=is_now,
                on_the_hour=on_the_hour,
                css=" ".join(name for name, on in (("hour", on_the_hour), ("now", is_now)) if on),
                start_ts=str(int(slot.start.timestamp())) if slot else "",
                end_ts=str(int(slot.end.timestamp())) if slot else "",
            )
        )
    return Grid(columns=columns, rows=rows)


def dress(grid: Grid, free_cell: Callable[[Column, Row], tuple[str, str]]) -> Grid:
    """Give every cell its CSS class, and free cells their link and words, for the template.

    `free_cell(column, row)` returns (url, text) for a free cell: the link that books it ("" if
    the viewer cannot book) and what a screen reader says for it.
    """
    for column in grid.columns:
        cells = column.cells
        for row in grid.rows:
            cell = cells[row.index]
            if cell is None:
                continue
            if cell.kind == APPOINTMENT:
                block = cell.block
                cell.css = f"cell appt {block.status_class} span-{cell.rowspan}"
                tall = cell.rowspan > 3 and getattr(block, "treatment", "")
                cell.length_label = f"{block.minutes} min · {block.treatment}" if tall else block.length_label
            elif cell.kind == FREE:
                cell.css = "cell free now-cell" if cell.label else "cell free"
                cell.url, cell.text = free_cell(column, row)
            else:
                cell.css = f"cell shaded {cell.kind}"
    return grid
