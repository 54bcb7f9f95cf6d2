"""An iCalendar (RFC 5545) file for one appointment, for the "Add to calendar" download.

Written by hand: one event needs a dozen lines, not a dependency. Times are given in UTC so every
calendar shows them in its own zone correctly; the UID is stable so downloading twice updates the
same event instead of adding a second one.
"""

from __future__ import annotations

from datetime import UTC

from django.utils import timezone


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\r\n", "\n").replace("\n", "\\n")


def _fold(line: str) -> str:
    """Lines longer than 75 octets are folded with CRLF and a space (RFC 5545 3.1)."""
    encoded = line.encode()
    if len(encoded) <= 75:
        return line
    parts, current = [], b""
    for char in line:
        piece = char.encode()
        if len(current) + len(piece) > (75 if not parts else 74):
            parts.append(current.decode())
            current = b""
        current += piece
    parts.append(current.decode())
    return "\r\n ".join(parts)


def _utc(moment) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def appointment_calendar(appointment, *, clinic, host: str) -> str:
    """The .ics text for `appointment` at `clinic` (its name, address and phone)."""
    length = appointment.length
    summary = f"{length.treatment.name} ({length.minutes} min) at {clinic.name}"
    description = (
        f"Reference {appointment.reference}, with {appointment.therapist.name}. "
        f"To cancel or move, phone {clinic.phone.as_national if clinic.phone else ''}."
    )
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:-//{_escape(clinic.name)}//Online booking//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "BEGIN:VEVENT",
        f"UID:{appointment.reference}@{host.split(':')[0] or 'clinic'}",
        f"DTSTAMP:{_utc(timezone.now())}",
        f"DTSTART:{_utc(appointment.start)}",
        f"DTEND:{_utc(appointment.end)}",
        f"SUMMARY:{_escape(summary)}",
        f"LOCATION:{_escape(', '.join(line.strip() for line in clinic.address.splitlines() if line.strip()))}",
        f"DESCRIPTION:{_escape(description)}",
        "STATUS:CONFIRMED" if appointment.holds_time else "STATUS:CANCELLED",
        "BEGIN:VALARM",
        "ACTION:DISPLAY",
        "TRIGGER:-PT1H",
        f"DESCRIPTION:{_escape(summary)}",
        "END:VALARM",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return "\r\n".join(_fold(line) for line in lines) + "\r\n"
