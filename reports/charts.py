"""Bar charts drawn on the server as SVG (pure: geometry only; the template draws it).

No charting library: the strict CSP forbids inline script and style, a chart needs neither here,
it prints, and it costs nothing to load. Every chart sits beside the table of the same figures,
which is what a screen reader reads and what the CSV holds; the chart's own title and description
say what it shows.
"""

from __future__ import annotations

from dataclasses import dataclass

LABEL_WIDTH = 280  # viewBox units for the bar labels on the left
LABEL_CHARACTERS = 42  # longer labels are shortened (the table beside has them whole)
PLOT_WIDTH = 220
VALUE_GAP = 6
BAR_HEIGHT = 22
ROW_HEIGHT = 30
TOP = 8


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    text: str  # the value as the table shows it, e.g. "64%" or "£1,234"
    series: str = ""  # a CSS class, so two kinds of bar in one chart differ by more than colour
    x: float = LABEL_WIDTH
    y: float = 0
    width: float = 0

    @property
    def text_x(self) -> float:
        return self.x + self.width + VALUE_GAP

    @property
    def label_y(self) -> float:
        return self.y + BAR_HEIGHT * 0.7


@dataclass(frozen=True)
class Chart:
    key: str
    title: str
    description: str
    bars: list[Bar]
    height: float
    width: float = LABEL_WIDTH + PLOT_WIDTH + 80
    label_x: float = LABEL_WIDTH - VALUE_GAP
    axis_x: float = LABEL_WIDTH


def bar_chart(key: str, title: str, items, *, description: str = "", scale_max: float | None = None) -> Chart:
    """Horizontal bars for `items` of (label, value, text[, series]), scaled to the largest value
    (or `scale_max`, e.g. 1.0 for rates, so 100% is the full width)."""
    items = [tuple(item) + ("",) * (4 - len(item)) for item in items]
    top = max([scale_max or 0] + [value for _, value, _, _ in items]) or 1
    bars = [
        Bar(
            label=label if len(label) <= LABEL_CHARACTERS else label[: LABEL_CHARACTERS - 1] + "…",
            value=value,
            text=text,
            series=series,
            y=TOP + i * ROW_HEIGHT,
            width=round(PLOT_WIDTH * max(value, 0) / top, 1),
        )
        for i, (label, value, text, series) in enumerate(items)
    ]
    return Chart(key, title, description or title, bars, height=TOP * 2 + len(bars) * ROW_HEIGHT)
