"""The report's sections: each a chart and the table of the same figures, which is also what its
CSV download holds (one source for all three, so they cannot disagree)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from bookings.models import Appointment

from .charts import Chart, bar_chart
from .figures import STATUSES, Report, TherapistFigures


@dataclass(frozen=True)
class Cell:
    text: str  # as shown
    raw: str  # as the CSV holds it: plain numbers, rates as percentages to one decimal


@dataclass
class Section:
    key: str
    title: str
    note: str  # what the figures mean, in a sentence
    chart: Chart
    header: list[str]
    rows: list[list[Cell]] = field(default_factory=list)


def _pct(rate: float | None) -> Cell:
    if rate is None:
        return Cell("–", "")
    return Cell(f"{rate * 100:.1f}%", f"{rate * 100:.1f}")


def _hours(minutes: int) -> Cell:
    return Cell(f"{minutes / 60:,.1f} h", f"{minutes / 60:.1f}")


def _money(amount: Decimal) -> Cell:
    return Cell(f"£{amount:,.2f}", f"{amount:.2f}")


def _n(count: int) -> Cell:
    return Cell(f"{count:,}", str(count))


def _name(figures: TherapistFigures) -> Cell:
    return Cell(figures.name, figures.name)


def headlines(report: Report) -> list[tuple[str, str]]:
    """The whole clinic's key figures, for the top of the page."""
    clinic = report.clinic
    return [
        ("Utilisation", _pct(clinic.utilisation).text),
        ("No-show rate", _pct(clinic.no_show_rate).text),
        ("Late cancellations", _pct(clinic.late_cancellation_rate).text),
        ("Revenue", _money(clinic.revenue).text),
        ("Callbacks in time", _pct(report.callbacks.in_time_rate).text),
        ("Texts failed", _n(report.sms.failed).text),
    ]


def sections(report: Report) -> list[Section]:
    everyone = [*report.therapists, report.clinic]
    return [
        _utilisation(everyone),
        _statuses(report, everyone),
        _rates(report, everyone),
        _revenue(report),
        _sources(report),
        _callbacks(report),
        _sms(report),
    ]


def _utilisation(everyone) -> Section:
    chart = bar_chart(
        "utilisation",
        "Utilisation",
        [
            (f.name, f.utilisation or 0, _pct(f.utilisation).text, "total" if f.therapist_id is None else "")
            for f in everyone
        ],
        description="Booked hours as a share of working hours, per therapist and for the whole clinic.",
        scale_max=1.0,
    )
    rows = [[_name(f), _hours(f.working_minutes), _hours(f.booked_minutes), _pct(f.utilisation)] for f in everyone]
    return Section(
        "utilisation",
        "Utilisation",
        "Booked hours (booked, arrived, completed and no-show appointments) over working hours "
        "(weekly hours less absences and closed days).",
        chart,
        ["Therapist", "Working hours", "Booked hours", "Utilisation"],
        rows,
    )


def _statuses(report, everyone) -> Section:
    labels = dict(Appointment.Status.choices)
    chart = bar_chart(
        "statuses",
        "Appointments by status",
        [(labels[s], report.clinic.by_status[s], f"{report.clinic.by_status[s]:,}", s) for s in STATUSES],
        description="How the whole clinic's appointments in the period ended up.",
    )
    rows = [[_name(f), *(_n(f.by_status[s]) for s in STATUSES), _n(f.appointments)] for f in everyone]
    return Section(
        "statuses",
        "Appointments by status",
        "Every appointment starting in the period, by its status now.",
        chart,
        ["Therapist", *(labels[s] for s in STATUSES), "Total"],
        rows,
    )


def _rates(report, everyone) -> Section:
    items = []
    for f in everyone:
        items.append((f"{f.name}: no-shows", f.no_show_rate or 0, _pct(f.no_show_rate).text, "no-show"))
        items.append(
            (
                f"{f.name}: late cancellations",
                f.late_cancellation_rate or 0,
                _pct(f.late_cancellation_rate).text,
                "late",
            )
        )
    chart = bar_chart(
        "rates",
        "No-show and late cancellation rates",
        items,
        description="No-show rate and late cancellation rate per therapist and for the whole clinic.",
    )
    rows = [
        [
            _name(f),
            _n(f.due),
            _n(f.by_status[Appointment.Status.NO_SHOW]),
            _pct(f.no_show_rate),
            _n(f.appointments),
            _n(f.late_cancellations),
            _pct(f.late_cancellation_rate),
        ]
        for f in everyone
    ]
    return Section(
        "rates",
        "No-shows and late cancellations",
        f"No-show rate: no-shows over appointments not cancelled. Late cancellation rate: cancellations "
        f"made less than {report.notice_hours} hours before the start, over all appointments.",
        chart,
        [
            "Therapist",
            "Not cancelled",
            "No-shows",
            "No-show rate",
            "Appointments",
            "Late cancellations",
            "Late cancellation rate",
        ],
        rows,
    )


def _revenue(report) -> Section:
    chart = bar_chart(
        "revenue",
        "Revenue by treatment length",
        [(r.label, float(r.revenue), _money(r.revenue).text) for r in report.revenue],
        description="What attended appointments were priced at, by treatment length.",
    )
    rows = [[Cell(r.label, r.label), _n(r.attended), _money(r.revenue)] for r in report.revenue]
    rows.append([Cell("Total", "Total"), _n(sum(r.attended for r in report.revenue)), _money(report.clinic.revenue)])
    return Section(
        "revenue",
        "Revenue by treatment length",
        "The price of each arrived or completed appointment, at the price it was booked at.",
        chart,
        ["Treatment length", "Attended", "Revenue"],
        rows,
    )


def _sources(report) -> Section:
    labels = dict(Appointment.Source.choices)
    total = sum(report.sources.values())
    chart = bar_chart(
        "sources",
        "Online and reception bookings",
        [(labels[s], n, f"{n:,}") for s, n in report.sources.items()],
        description="Appointments in the period by who booked them.",
    )
    rows = [[Cell(labels[s], labels[s]), _n(n), _pct(n / total if total else None)] for s, n in report.sources.items()]
    return Section(
        "sources",
        "Online and reception bookings",
        "Every appointment starting in the period (cancelled ones too), by who booked it.",
        chart,
        ["Booked by", "Appointments", "Share"],
        rows,
    )


def _callbacks(report) -> Section:
    c = report.callbacks
    outcomes = [
        ("Called within the promised time", c.in_time, "in-time"),
        ("Called later than promised", c.late, "late"),
        ("Not called (closed or overdue)", c.not_called, "missed"),
        ("Still waiting, promise not yet due", c.waiting, ""),
    ]
    chart = bar_chart(
        "callbacks",
        "Callback requests",
        [(label, n, f"{n:,}", series) for label, n, series in outcomes],
        description="Callback requests asked in the period, by when the first call came.",
    )
    rows = [[Cell(label, label), _n(n)] for label, n, _ in outcomes]
    rows.append([Cell("Share called in time", "Share called in time"), _pct(c.in_time_rate)])
    return Section(
        "callbacks",
        "Callback requests answered in time",
        "Requests asked in the period; the first logged call against the time promised to the "
        "patient (their chosen day and part of it, or the opening hours for 'as soon as possible').",
        chart,
        ["Outcome", "Requests"],
        rows,
    )


def _sms(report) -> Section:
    s = report.sms
    counts = [
        ("Delivered", s.delivered, "delivered"),
        ("Sent, delivery not reported", s.sent - s.delivered, ""),
        ("Failed or not delivered", s.failed, "failed"),
        ("Unknown (may have gone)", s.unknown, "failed"),
        ("Waiting to send", s.waiting, ""),
    ]
    chart = bar_chart(
        "sms",
        "Text messages",
        [(label, n, f"{n:,}", series) for label, n, series in counts],
        description="Texts written in the period, by what happened to them.",
    )
    rows = [[Cell(label, label), _n(n)] for label, n, _ in counts]
    rows.append([Cell("Segments charged", "Segments charged"), _n(s.segments)])
    return Section(
        "sms",
        "Text messages sent, failed and segments",
        "Texts written in the period. Segments: the SMS parts of every text handed to Twilio "
        "(up to 160 characters in one, 153 a part beyond).",
        chart,
        ["Texts", "Count"],
        rows,
    )
