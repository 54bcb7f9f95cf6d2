"""iCalendar (RFC 5545) files for one appointment, built with the `icalendar` library.

Two uses: the "Add to calendar" download (`METHOD:PUBLISH`, a file the patient imports) and the
invitation attached to the confirmation, time-change and cancellation emails (`METHOD:REQUEST`,
or `METHOD:CANCEL` with `STATUS:CANCELLED`, RFC 5546). Every version of one appointment has the
same UID, and a SEQUENCE (`Appointment.calendar_sequence`) the booking services raise on every
move and cancellation, so calendar apps update or remove the event they have instead of adding a
second one. Times are written in the clinic's zone with its VTIMEZONE, so a booking either side
of a clock change shows at the wall-clock time the patient booked.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone
from icalendar import Alarm, Calendar, Event, Timezone, vCalAddress

PUBLISH, REQUEST, CANCEL = "PUBLISH", "REQUEST", "CANCEL"


def uid(appointment) -> str:
    """The same for every version of the appointment, from any page or email: its reference at
    the site's public host name (not the request's, which differs between hosts)."""
    host = urlsplit(settings.PUBLIC_BASE_URL).hostname or "clinic"
    return f"{appointment.reference}@{host}"


@lru_cache(maxsize=16)
def _zone_rules(tzid: str, year: int) -> Timezone:
    """The zone's VTIMEZONE with its rules for `year` only (the whole 1970-2038 table would triple
    the file), built once per process and year: working it out from the zone's transitions cost
    about 0.4 ms per email, a third of the invitation. Read-only once built: calendars share it."""
    return Timezone.from_tzid(tzid, first_date=date(year, 1, 1), last_date=date(year, 12, 31))


def _address(email: str, name: str = "") -> vCalAddress:
    address = vCalAddress(f"mailto:{email}")
    if name:
        address.params["CN"] = name
    return address


def appointment_calendar(appointment, *, clinic, method: str = PUBLISH, attendee: str = "") -> str:
    """The .ics text for `appointment` at `clinic` (its name, address and phone).

    `method` is PUBLISH for a download, REQUEST for an invitation (booked or moved) or CANCEL
    (`STATUS:CANCELLED`); an invitation names the clinic as organizer and `attendee` (the
    patient's address), as iTIP asks, so mail clients offer to add or update it.
    """
    zone = ZoneInfo(settings.TIME_ZONE)
    length = appointment.length
    summary = f"{length.treatment.name} ({length.minutes} min) at {clinic.name}"
    phone = clinic.phone.as_national if clinic.phone else ""
    description = f"Reference {appointment.reference}, with {appointment.therapist.name}." + (
        f" To cancel or move, phone {phone}." if phone else ""
    )
    cancelled = method == CANCEL or not appointment.holds_time
    event = Event.new(
        uid=uid(appointment),
        sequence=appointment.calendar_sequence,
        stamp=timezone.now(),
        start=appointment.start.astimezone(zone),
        end=appointment.end.astimezone(zone),
        summary=summary,
        description=description,
        location=", ".join(line.strip() for line in clinic.address.splitlines() if line.strip()) or None,
        status="CANCELLED" if cancelled else "CONFIRMED",
    )
    if method != PUBLISH:
        event.add("organizer", _address(clinic.email or settings.DEFAULT_FROM_EMAIL, clinic.name))
        if attendee:
            guest = _address(attendee)
            guest.params["ROLE"] = "REQ-PARTICIPANT"
            guest.params["PARTSTAT"] = "ACCEPTED"
            event.add("attendee", guest)
    if not cancelled:
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("trigger", timedelta(hours=-1))
        alarm.add("description", summary)
        event.add_component(alarm)
    calendar = Calendar.new(prodid=f"-//{clinic.name}//Online booking//EN", method=method)
    # The zone's rules come first, as RFC 5545 asks of a VTIMEZONE the event's times refer to.
    calendar.add_component(_zone_rules(settings.TIME_ZONE, appointment.start.astimezone(zone).year))
    calendar.add_component(event)
    return calendar.to_ical().decode()
