"""Reception's diary: the day grid (a column per therapist) and the week grid (one therapist).

`grid` builds them from plain values (pure); `blocks` turns appointment rows into the prepared
blocks the page prints (and is where other features add badges and lines to a block); `day` and
`week` load those values in a fixed number of queries whatever the number of therapists or
appointments.
"""

from .blocks import Action, Badge, Block, BlockExtension, Line, Links, Viewer, register, unregister
from .day import DayDiary, build_day, load_day
from .week import build_week, load_week

__all__ = [
    "Action",
    "Badge",
    "Block",
    "BlockExtension",
    "DayDiary",
    "Line",
    "Links",
    "Viewer",
    "build_day",
    "build_week",
    "load_day",
    "load_week",
    "register",
    "unregister",
]
