"""The grid's rows as HTML: the one part of the diary pages written in Python, not a template.

A 40-therapist day has about 1,300 cells and prints some 17,000 values (and its column heads and
cancelled list another 500). Django's template engine
costs a few microseconds per printed value, which made this table alone 40–60 ms of a page that
must render in well under 100 ms; joined strings cost a tenth of that. Everything printed comes
prepared (`blocks.make_blocks`, `grid.dress`), so this module only escapes and joins: it makes
no decision a test of the grid or the blocks does not already cover.

Every value that is not already a `SafeString` built from our own values is escaped, attribute
values included (`html.escape` with quotes, as Django's `escape`).
"""

from __future__ import annotations

from functools import lru_cache
from html import escape

from django.utils.safestring import SafeString

from .grid import APPOINTMENT, FREE, Cell, Grid


def _e(value) -> str:
    if isinstance(value, SafeString):
        return value
    return _escaped(str(value))


@lru_cache(maxsize=8192)
def _escaped(text: str) -> str:
    # Most printed values repeat (classes, labels, badge titles): escape each once per process.
    return escape(text, quote=True)


def block_html(cell: Cell) -> str:
    """An appointment's cell: the block links to the appointment and shows what it is."""
    block = cell.block
    length = cell.length_label or block.length_label
    inside = block.drawn.get(length)
    if inside is None:
        # Kept with the block: one reused from the last drawing (`blocks.make_blocks`) is not
        # written out again.
        inside = block.drawn[length] = _block_inside(block, length)
    return f'<td rowspan="{cell.rowspan}" class="{_e(cell.css)}">{inside}</td>'


def _block_inside(block, length: str) -> str:
    attrs = "".join(f' {_e(name)}="{_e(value)}"' for name, value in block.attrs.items())
    parts = [
        f'<a class="block" href="{_e(block.url)}" '
        f'title="{_e(block.title)}"{attrs}><span class="block-time">{_e(block.time_label)}</span> '
        f'<span class="status-tag {_e(block.status_class)}">{_e(block.status_label)}</span> '
        f'<strong class="block-patient">{_e(block.patient_name)}</strong> '
        f'<span class="block-length">{_e(length)}</span>'
    ]
    if block.note:
        parts.append(f' <span class="block-note">{_e(block.note)}</span>')
    for line in block.lines:
        parts.append(f' <span class="block-line {_e(line.css)}">{_e(line.text)}</span>')
    for badge in block.badges:
        title = f' title="{_e(badge.title)}"' if badge.title else ""
        parts.append(f' <span class="badge {_e(badge.css)}"{title}>{_e(badge.label)}</span>')
    parts.append("</a>")
    for action in block.actions:
        label = f' aria-label="{_e(action.label)}"' if action.label else ""
        parts.append(f'<a class="block-action {_e(action.css)}" href="{_e(action.href)}"{label}>{_e(action.text)}</a>')
    return "".join(parts)


def free_html(cell: Cell) -> str:
    """An empty working slot: the whole cell books it (when the viewer may book)."""
    link = (
        f'<a class="free-link" href="{_e(cell.url)}"><span class="visually-hidden">{_e(cell.text)}</span>'
        '<span class="plus" aria-hidden="true">+</span></a>'
        if cell.url
        else ""
    )
    now = f'<span class="visually-hidden">{_e(cell.label)}</span>' if cell.label else ""
    return f'<td class="{_e(cell.css)}">{link}{now}</td>'


def shaded_html(cell: Cell) -> str:
    """Time nobody can book (not working, away, closed, clearing up), with the words in it."""
    return (
        f'<td rowspan="{cell.rowspan}" class="{_e(cell.css)}"><span class="shaded-label">{_e(cell.label)}</span></td>'
    )


def heads_html(columns) -> SafeString:
    """The day's column heads (`<th>` elements after the time column's): each therapist, with a
    link to their week."""
    return SafeString(
        "".join(
            f'<th scope="col" class="therapist-col" data-therapist="{_e(c.key)}" data-name="{_e(c.label)}">'
            f'{_e(c.label)} <a class="week-link" href="{_e(c.url)}">week'
            f'<span class="visually-hidden"> view for {_e(c.label)}</span></a></th>\n'
            for c in columns
        )
    )


def cancelled_html(blocks) -> SafeString:
    """The day's cancelled and no-show appointments, as list items (`<li>` elements)."""
    return SafeString(
        "".join(
            f'<li><a href="{_e(b.url)}">{_e(b.time_label)} {_e(b.patient_name)} with {_e(b.therapist_name)}</a> '
            f'<span class="status-tag {_e(b.status_class)}">{_e(b.status_label)}</span>'
            f"{f' – {_e(b.cancellation_reason)}' if b.cancellation_reason else ''}</li>\n"
            for b in blocks
        )
    )


def rows_html(grid: Grid) -> SafeString:
    """The table body's rows (`<tr>` elements) for a dressed grid."""
    out = []
    for row in grid.rows:
        css = f' class="{_e(row.css)}"' if row.css else ""
        data = f' data-start="{row.start_ts}" data-end="{row.end_ts}"' if row.start_ts else ""
        now = ' <span class="now-tag">Now</span>' if row.is_now else ""
        out.append(f'<tr{css}{data}>\n<th scope="row" class="time">{_e(row.label)}{now}</th>\n')
        for cell in row.cells:
            if cell.kind == APPOINTMENT:
                out.append(block_html(cell))
            elif cell.kind == FREE:
                out.append(free_html(cell))
            else:
                out.append(shaded_html(cell))
        out.append("\n</tr>\n")
    return SafeString("".join(out))
