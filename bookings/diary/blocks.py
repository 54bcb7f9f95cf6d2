"""What the diary shows for one appointment: a `Block` prepared in Python, once per page.

The page is rendered from these plain objects, never from models: every label, URL and CSS
class is computed here, so the template only prints strings (no filters, no URL reversal, no
includes per cell) and the appointments are read with one `values()` query that loads no
patient or treatment model.

Other features add to a block without touching the template's structure, by registering a
`BlockExtension` (typically in their `AppConfig.ready()`): the extra values it needs are read in
the same single query (plain field paths or annotations such as an `Exists` subquery), and its
`apply` function turns them into badges, extra lines, data attributes or title text.

    from bookings.diary import blocks

    blocks.register(blocks.BlockExtension(
        name="first-visit",
        annotations={"first_visit": lambda: ~Exists(earlier_visits)},
        apply=lambda block, row, viewer: row["first_visit"] and block.badges.append(
            blocks.Badge("New", css="badge-new", title="First visit")),
    ))
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from typing import Any

from django.utils import timezone, translation
from django.utils.safestring import SafeString

from ..lengths import label as plain_label
from ..models import Appointment

HOLDING_TIME = frozenset(Appointment.Status.holding_time())

# The appointment's own columns every block needs; the note only for viewers allowed to see it.
BASE_VALUES = (
    "pk",
    "updated_at",  # the live diary's token (live.py)
    "therapist_id",
    "start",
    "end",
    "blocked_until",
    "status",
    "cancellation_reason",
    "patient__name",
    "patient_id",
    "length__minutes",
    "length__treatment__name",
)
NOTE_PREVIEW = 80


@dataclass
class Badge:
    """A short word on the block (e.g. "New", "Confirmed"): text always, colour by `css`."""

    label: str
    css: str = ""
    title: str = ""


@dataclass
class Line:
    """An extra line of text on the block (e.g. the phone number), styled by `css`."""

    text: str
    css: str = ""


@dataclass
class Action:
    """A link of its own beside the block, e.g. the patient's number to tap and call (the block is
    a link to the appointment, so it cannot hold another link)."""

    text: str
    href: str
    css: str = ""
    label: str = ""  # what a screen reader says, when the text alone would not say what it does


@dataclass(frozen=True)
class Viewer:
    """What the person looking at the diary may do; extensions may show more or less by it."""

    can_book: bool = False
    can_see_notes: bool = False
    user: Any = None


@dataclass(frozen=True)
class Links:
    """Where the diary's cells lead, reversed once per page (the builders stay pure)."""

    add: str = ""  # the add-appointment form; "" when the viewer cannot book
    change: str = ""  # an appointment's page, with "{pk}" where its id goes
    day: str = ""  # the day view, without a query string
    week: str = ""  # the week view, without a query string

    def change_url(self, pk: int) -> str:
        return self.change.replace("{pk}", str(pk)) if self.change else ""


@dataclass
class Block:
    """One appointment as the diary draws it. `start`, `end` and `blocked_until` are aware
    instants (the grid places the block by them); everything else is ready to print."""

    pk: int
    therapist_id: int
    start: datetime
    end: datetime
    blocked_until: datetime
    status: str
    patient_name: str
    minutes: int
    treatment: str
    time_label: str  # "10:00–10:30"
    status_label: str  # "Arrived"
    status_class: str  # "status-arrived"
    url: str
    title: str  # the link's tooltip: the whole appointment in one line
    length_label: str = ""  # "30 min", with the treatment when the block is tall enough
    note: str = ""  # empty unless the viewer may see clinical notes
    cancellation_reason: str = ""
    therapist_name: str = ""
    patient_id: int | None = None  # for the record of who saw whose note (clinic.core.clinical_access)
    badges: list[Badge] = field(default_factory=list)
    lines: list[Line] = field(default_factory=list)
    attrs: dict[str, str] = field(default_factory=dict)  # extra attributes for the block's link
    actions: list[Action] = field(default_factory=list)  # links beside the block, in its cell
    # Its link as `html.block_html` wrote it, by length label: a block reused from the last page
    # (`make_blocks(reuse=...)`) is not written out again either.
    drawn: dict[str, str] = field(default_factory=dict, repr=False, compare=False)

    @property
    def holds_time(self) -> bool:
        return self.status in HOLDING_TIME

    @property
    def when_label(self) -> str:
        """Day and time, for lists outside the grid: "Mon 7 Jan 10:00"."""
        local = timezone.localtime(self.start)
        return f"{local:%a} {local.day} {local:%b} {hh_mm(local)}"


@dataclass(frozen=True)
class BlockExtension:
    """An addition to every diary block, read in the diary's one appointment query.

    `values`: extra field paths for `values()` (e.g. "patient__phone"); `annotations`: name ->
    a callable returning a query expression (a fresh one per query); `prepare(rows, viewer)`, if
    given, runs once with every row; `apply(block, row, viewer)` then adds badges, lines, attrs,
    actions or title text from the row (a dict with those keys too).

    What `apply` adds must follow from the row and the viewer's flags (`can_book`,
    `can_see_notes`) alone: anything else about the viewer goes into the rows through `prepare`
    (as reception's "may move" does). The day's page is cached, and its blocks reused from one
    drawing to the next, on that promise (`page.py`, `make_blocks`).
    """

    name: str
    apply: Callable[[Block, Mapping[str, Any], Viewer], None]
    values: tuple[str, ...] = ()
    annotations: Mapping[str, Callable[[], Any]] = field(default_factory=dict)
    # Once per page, before `apply`: may add keys to the rows from a few set-based queries, where
    # a per-row subquery would cost a probe per block (a fixed number of queries, never per row).
    # Called as prepare(rows, viewer, whole_clinic): `whole_clinic` says the rows are every
    # therapist's appointments on their days (the day view for reception), so nothing about
    # those days lies outside them.
    prepare: Callable[[list[dict], Viewer, bool], None] | None = None


_extensions: dict[str, BlockExtension] = {}


def register(extension: BlockExtension) -> None:
    """Add (or replace, by name) an extension; call it from an `AppConfig.ready()`."""
    _extensions[extension.name] = extension


def unregister(name: str) -> None:
    _extensions.pop(name, None)


def extensions() -> list[BlockExtension]:
    return list(_extensions.values())


def appointment_rows(queryset, *, viewer: Viewer) -> list[dict]:
    """The appointments as plain dicts, with every registered extension's values, in one query."""
    values = list(BASE_VALUES)
    annotations = {}
    if viewer.can_see_notes:
        values.append("note")
    for extension in _extensions.values():
        values += [v for v in extension.values if v not in values]
        annotations |= {name: make() for name, make in extension.annotations.items()}
    return list(queryset.values(*values, **annotations))


def hh_mm(local: datetime) -> str:
    """A local time as the diary prints it, "10:05" (faster than strftime, a thousand times a page)."""
    return f"{local.hour:02d}:{local.minute:02d}"


# The blocks of the last few pages drawn (`make_blocks(reuse=...)`), at most this many pages.
PAGES_KEPT = 8
_kept: OrderedDict[Hashable, dict[int, tuple[tuple, Block]]] = OrderedDict()
_kept_lock = threading.Lock()


def make_blocks(
    rows: Iterable[Mapping[str, Any]],
    *,
    tz: tzinfo,
    links: Links,
    viewer: Viewer,
    therapist_names: Mapping[int, str] | None = None,
    whole_clinic: bool = False,
    reuse: Hashable | None = None,
) -> list[Block]:
    """Blocks from `appointment_rows`, with their labels and links, extensions applied.

    Strings made here from our own values only (classes, times, links) are marked safe so the
    template does not escape them again; anything a person typed stays a plain string.

    `reuse` names the page (e.g. the day and whose column) to reuse blocks from the last drawing
    of: after a write, a 40-therapist day has a thousand rows of which one or two changed, and
    preparing and writing out the rest again was most of the page's cost. A block is a function
    of its row (every value read for it, the extensions' and what their `prepare` added too) and
    of the page's context (time zone, language, links, the viewer's flags, whether lengths name
    their treatment, the therapist's name, the extensions registered), so the memo is keyed by
    those values themselves: a changed value is another key, and there is nothing to invalidate.
    The blocks returned are shared with later drawings: nothing may change them afterwards.
    """
    extensions = list(_extensions.values())
    rows = rows if isinstance(rows, list) else list(rows)
    for extension in extensions:
        if extension.prepare is not None:
            extension.prepare(rows, viewer, whole_clinic)
    names = therapist_names or {}
    # Lengths name their treatment when the page shows more than one (no query for it here).
    named = len({row["length__treatment__name"] for row in rows}) > 1
    if reuse is None:
        return [_make_block(row, tz, links, viewer, names, named, extensions) for row in rows]
    context = (
        reuse,
        tz,
        translation.get_language(),
        links,
        viewer.can_book,
        viewer.can_see_notes,
        named,
        # The extensions' own functions, not only their names: a test may register another
        # extension under a name already used.
        tuple((extension.name, extension.apply, extension.prepare) for extension in extensions),
    )
    with _kept_lock:
        last = _kept.get(context, {})
    drawn, blocks = {}, []
    for row in rows:
        # By id, then compared whole: equality is cheaper than hashing two dozen values twice. One
        # tuple kept per block (its keys and values together), not a pair per value: fewer objects
        # for the garbage collector to walk on every full collection.
        pk, inputs = row["pk"], (names.get(row["therapist_id"]), *row, *row.values())
        kept = last.get(pk)
        block = kept[1] if kept is not None and kept[0] == inputs else None
        if block is None:
            block = _make_block(row, tz, links, viewer, names, named, extensions)
        drawn[pk] = (inputs, block)
        blocks.append(block)
    with _kept_lock:
        _kept[context] = drawn
        _kept.move_to_end(context)
        while len(_kept) > PAGES_KEPT:
            _kept.popitem(last=False)
    return blocks


_status_labels: dict[str | None, dict[str, tuple[str, SafeString]]] = {}


def _statuses() -> dict[str, tuple[str, SafeString]]:
    # Status labels are lazy translations: resolved once per language, not once per block.
    language = translation.get_language()
    known = _status_labels.get(language)
    if known is None:
        known = _status_labels[language] = {
            value: (str(label), SafeString(f"status-{value}")) for value, label in Appointment.Status.choices
        }
    return known


def _make_block(row, tz, links, viewer, names, named, extensions) -> Block:
    statuses = _statuses()
    start, end = row["start"], row["end"]
    local_start = start.astimezone(tz)
    time_label = SafeString(f"{hh_mm(local_start)}–{hh_mm(end.astimezone(tz))}")
    status = row["status"]
    status_label, status_class = statuses.get(status, (status, SafeString("")))
    minutes = row["length__minutes"]
    length_text = plain_label(minutes, row["length__treatment__name"], named=named, short=True)
    patient_name = row["patient__name"]
    note = row.get("note") or ""
    if len(note) > NOTE_PREVIEW:
        note = note[: NOTE_PREVIEW - 1] + "…"
    block = Block(
        pk=row["pk"],
        therapist_id=row["therapist_id"],
        start=start,
        end=end,
        blocked_until=row["blocked_until"],
        status=status,
        patient_name=patient_name,
        minutes=minutes,
        treatment=row["length__treatment__name"],
        time_label=time_label,
        status_label=status_label,
        status_class=status_class,
        url=SafeString(links.change_url(row["pk"])),
        title=f"{time_label} {patient_name}, {length_text}, {status_label}",
        length_label=length_text if named else SafeString(length_text),
        note=note,
        cancellation_reason=row["cancellation_reason"],
        therapist_name=names.get(row["therapist_id"], ""),
        patient_id=row.get("patient_id"),
    )
    for extension in extensions:
        extension.apply(block, row, viewer)
    return block
