"""The period a report covers: whole local days, chosen from a form or one of the usual presets."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from bookings.models import local_day_bounds

LONGEST = timedelta(days=3 * 366)  # a manager may compare years; beyond that, ask for an export


@dataclass(frozen=True)
class Period:
    first: date
    last: date  # inclusive

    @property
    def bounds(self) -> tuple[datetime, datetime]:
        """The aware instants from the first day's local midnight to the midnight after the last."""
        return local_day_bounds(self.first)[0], local_day_bounds(self.last)[1]

    @property
    def days(self) -> list[date]:
        return [self.first + timedelta(days=n) for n in range((self.last - self.first).days + 1)]

    @property
    def label(self) -> str:
        if self.first == self.last:
            return f"{self.first:%a} {self.first.day} {self.first:%b %Y}"
        return f"{self.first.day} {self.first:%b %Y} – {self.last.day} {self.last:%b %Y}"

    @property
    def slug(self) -> str:
        return f"{self.first:%Y%m%d}-{self.last:%Y%m%d}"


def _month_start(day: date) -> date:
    return day.replace(day=1)


def presets(today: date) -> list[tuple[str, Period]]:
    """The periods a manager asks for most, newest first; "Last month" is the default."""
    this_month = _month_start(today)
    last_month_end = this_month - timedelta(days=1)
    monday = today - timedelta(days=today.weekday())
    return [
        ("Last month", Period(_month_start(last_month_end), last_month_end)),
        ("This month", Period(this_month, today)),
        ("Last week", Period(monday - timedelta(days=7), monday - timedelta(days=1))),
        ("Last 12 months", Period(this_month.replace(year=this_month.year - 1), last_month_end)),
        ("This year", Period(today.replace(month=1, day=1), today)),
    ]


def default_period(today: date) -> Period:
    return presets(today)[0][1]
