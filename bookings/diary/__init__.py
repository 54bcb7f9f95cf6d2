"""Reception's diary: the day grid (a column per therapist) and the week grid (one therapist).

`grid` builds them from plain values (pure); `day` and `week` load those values in a fixed
number of queries whatever the number of therapists or appointments.
"""

from .day import DayDiary, build_day, load_day
from .week import build_week, load_week

__all__ = ["DayDiary", "build_day", "build_week", "load_day", "load_week"]
