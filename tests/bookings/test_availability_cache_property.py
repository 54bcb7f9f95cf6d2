"""Property: after any sequence of writes, every cached answer equals a fresh computation.

Random sequences mix every kind of write the caches depend on (bookings, moves, cancellations,
restores, working hours, absences, closures, clinic settings, treatment lengths, therapists and the
lengths they offer, patients' names, appointments' notes, texts' statuses) with the clock moving
on, on PostgreSQL with real commits (so both bumps, the one inside the transaction and the one
after commit, run as in production). After each step the cached per-therapist-day availability,
the cached catalogue and settings, the cached day/time panel and the reception diary's cached day
pages are compared with the same answers computed with no cache at all. (Fifteen sequences rarely
hit a visible page with the one write that shows only there: `test_diary_page_cache.py` makes
each such write once, by hand.)
"""

from datetime import datetime, time, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core.cache import cache
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bookings.catalogue import load_catalogue
from bookings.diary import Viewer
from bookings.diary.page import day_page
from bookings.diary.setup import day_setup
from bookings.models import Appointment, Patient, Treatment, TreatmentLength
from bookings.schedules import find_free_starts
from bookings.services import BookingError, cancel_booking, create_booking, reschedule_booking, set_status
from clinic.core.models import ClinicSettings
from clinic.sms.models import Message
from therapists.models import Absence, Closure, Therapist, WorkingHours

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres, pytest.mark.slow]

START = datetime(2030, 1, 7, 8, 0)  # a Monday morning, local time
DAYS = 8  # the window compared: today and the week after
THERAPISTS = 3
MINUTES = (30, 45, 60)
VIEWERS = (Viewer(can_book=True, can_see_notes=True), Viewer())
NO_CACHE = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}

therapist = st.integers(0, THERAPISTS - 1)
day = st.integers(0, DAYS - 1)
quarter = st.integers(0, 36)  # quarter hours after 08:00
minutes = st.sampled_from(MINUTES)
pick = st.integers(0, 50)  # which existing row, modulo how many there are

writes = st.one_of(
    st.tuples(st.just("book"), therapist, day, quarter, minutes, st.booleans()),
    st.tuples(st.just("book any"), day, quarter, minutes),
    st.tuples(st.just("move"), pick, therapist, day, quarter),
    st.tuples(st.just("cancel"), pick),
    st.tuples(st.just("restore"), pick),
    st.tuples(st.just("hours"), therapist, st.integers(0, 6), st.integers(7, 11), st.integers(13, 19)),
    st.tuples(st.just("no hours"), therapist, st.integers(0, 6)),
    st.tuples(st.just("absence"), therapist, day, quarter, st.integers(1, 16)),
    st.tuples(st.just("end absence"), pick),
    st.tuples(st.just("closure"), day, st.integers(0, 2)),
    st.tuples(st.just("reopen"), pick),
    st.tuples(
        st.just("policy"), st.sampled_from([0, 60, 120, 1440]), st.sampled_from([15, 30]), st.sampled_from([3, 7, 56])
    ),
    st.tuples(st.just("buffer"), minutes, st.sampled_from([0, 15])),
    st.tuples(st.just("length active"), minutes, st.booleans()),
    st.tuples(st.just("therapist active"), therapist, st.booleans()),
    st.tuples(st.just("offers"), therapist, minutes, st.booleans()),
    st.tuples(st.just("clock"), st.integers(0, 24 * 60), st.integers(0, 59)),
    # Writes only the reception diary's pages show (bookings/diary/page.py).
    st.tuples(st.just("rename"), pick, st.sampled_from(["Ann", "Bo <b>", "Cy"])),
    st.tuples(st.just("note"), pick, st.sampled_from(["", "Tight calves", "Left shoulder"])),
    st.tuples(st.just("text"), pick, st.sampled_from(["sent", "delivered", "failed", "unknown"])),
    st.tuples(st.just("texts"), st.sampled_from(["delivered", "undelivered"])),
)


def aware(day_offset: int, quarters: int) -> datetime:
    return timezone.make_aware(START + timedelta(days=day_offset, minutes=15 * quarters))


def fresh_clinic():
    """A clean clinic: three therapists working 09:00-17:00 Monday to Saturday."""
    for model in (Message, Appointment, Patient, Absence, Closure, WorkingHours, Therapist, TreatmentLength, Treatment):
        model.objects.all().delete()
    ClinicSettings.objects.all().delete()
    cache.clear()
    ClinicSettings.objects.create(pk=1, min_notice_minutes=120, horizon_days=56, slot_step_minutes=15)
    treatment = Treatment.objects.create(name="Massage", slug="massage")
    lengths = {m: TreatmentLength.objects.create(treatment=treatment, minutes=m, price=Decimal(m)) for m in MINUTES}
    therapists = []
    for i in range(THERAPISTS):
        t = Therapist.objects.create(name=f"Therapist {i}", slug=f"t{i}", display_order=i)
        t.lengths.set(lengths.values())
        WorkingHours.objects.bulk_create(
            WorkingHours(therapist=t, weekday=wd, start=time(9), end=time(17)) for wd in range(6)
        )
        therapists.append(t)
    patients = [Patient.objects.create(name=f"Patient {i}", phone=f"+4477009{i:05d}") for i in range(4)]
    return lengths, therapists, patients


def nth(queryset, n):
    rows = list(queryset.order_by("pk"))
    return rows[n % len(rows)] if rows else None


def apply(write, lengths, therapists, patients, clock):
    kind, *args = write
    try:
        if kind == "book":
            t, d, q, m, online = args
            create_booking(
                length=lengths[m], therapist=therapists[t], start=aware(d, q), patient=patients[q % 4],
                online_rules=online, notify_patient=online,
            )  # fmt: skip
        elif kind == "book any":
            d, q, m = args
            create_booking(length=lengths[m], start=aware(d, q), patient=patients[d % 4])
        elif kind == "move":
            n, t, d, q = args
            if appointment := nth(Appointment.objects.holding_time(), n):
                reschedule_booking(appointment=appointment, start=aware(d, q), therapist=therapists[t])
        elif kind == "cancel":
            if appointment := nth(Appointment.objects.filter(status="booked"), args[0]):
                cancel_booking(appointment=appointment, cancelled_by=Appointment.CancelledBy.CLINIC)
        elif kind == "restore":
            if appointment := nth(Appointment.objects.filter(status="cancelled"), args[0]):
                set_status(appointment=appointment, status=Appointment.Status.BOOKED)
        elif kind == "hours":
            t, wd, start, end = args
            WorkingHours.objects.filter(therapist=therapists[t], weekday=wd).delete()
            WorkingHours.objects.create(therapist=therapists[t], weekday=wd, start=time(start), end=time(end))
        elif kind == "no hours":
            for row in WorkingHours.objects.filter(therapist=therapists[args[0]], weekday=args[1]):
                row.delete()  # one by one, as the admin's inline does
        elif kind == "absence":
            t, d, q, length = args
            Absence.objects.create(therapist=therapists[t], starts_at=aware(d, q), ends_at=aware(d, q + length))
        elif kind == "end absence":
            if absence := nth(Absence.objects.all(), args[0]):
                absence.delete()
        elif kind == "closure":
            d, extra = args
            first = (START + timedelta(days=d)).date()
            Closure.objects.create(start_date=first, end_date=first + timedelta(days=extra))
        elif kind == "reopen":
            if closure := nth(Closure.objects.all(), args[0]):
                closure.delete()
        elif kind == "policy":
            clinic = ClinicSettings.objects.get(pk=1)
            clinic.min_notice_minutes, clinic.slot_step_minutes, clinic.horizon_days = args
            clinic.save()
        elif kind == "buffer":
            length = TreatmentLength.objects.get(pk=lengths[args[0]].pk)
            length.buffer_minutes = args[1]
            length.save()
        elif kind == "length active":
            length = TreatmentLength.objects.get(pk=lengths[args[0]].pk)
            length.active = args[1]
            length.save()
        elif kind == "therapist active":
            t = Therapist.objects.get(pk=therapists[args[0]].pk)
            t.active = args[1]
            t.save()
        elif kind == "offers":
            t, m, offered = args
            (therapists[t].lengths.add if offered else therapists[t].lengths.remove)(lengths[m])
        elif kind == "clock":
            clock.shift(timedelta(minutes=args[0], seconds=args[1]))
        elif kind == "rename":
            patient = nth(Patient.objects.all(), args[0])
            patient.name = args[1]
            patient.save()
        elif kind == "note":
            if appointment := nth(Appointment.objects.all(), args[0]):
                appointment.note = args[1]
                appointment.save(update_fields=["note", "updated_at"])
        elif kind == "text":
            if message := nth(Message.objects.all(), args[0]):
                message.status = args[1]
                message.save(update_fields=["status", "updated_at"])
        elif kind == "texts":
            Message.objects.exclude(status=Message.Status.CANCELLED).update(status=args[0], updated_at=timezone.now())
    except BookingError:
        pass  # a refusal is a fine outcome; what matters is what the caches say afterwards


def answers(lengths, therapists, client) -> dict:
    """What the site would answer now: free starts per therapist-day for every length, the
    catalogue, the settings, and the day/time panel and page for "no preference"."""
    ids = [t.pk for t in therapists]
    today = timezone.localdate()
    free = {}
    for m in MINUTES:
        length = TreatmentLength.objects.get(pk=lengths[m].pk)
        free[m] = find_free_starts(
            therapist_ids=ids, length=length, first_day=today, last_day=today + timedelta(DAYS), cache=True
        )
    catalogue = load_catalogue()
    clinic = ClinicSettings.load()
    panel = page = ""
    if catalogue.lengths:
        query = {"length": catalogue.lengths[0].pk, "therapist": "any", "day": (today + timedelta(days=1)).isoformat()}
        panel = client.get(reverse("bookings:time"), query, HTTP_HX_REQUEST="true").content.decode()
        page = client.get(reverse("bookings:time"), query).content.decode()
    return {
        "free": free,
        "lengths": [(x.pk, x.minutes, x.buffer_minutes) for x in catalogue.lengths],
        "therapists": [t.pk for t in catalogue.therapists],
        "offered": catalogue.offered,
        "policy": (clinic.min_notice_minutes, clinic.slot_step_minutes, clinic.horizon_days),
        "panel": panel,
        "page": page,  # the whole page, shared like the panel (the layout shows the clinic's details)
        # The reception diary's set-up of each day (cached under the same `setup` version).
        "diary set-up": [day_setup(today + timedelta(days=d)) for d in range(DAYS)],
        # Reception's day pages (cached under the set-up, every appointment and patient write,
        # and every text's), for a viewer who may book and see notes, and for one who may not.
        "diary pages": [day_page(today + timedelta(days=d), viewer=viewer) for d in range(3) for viewer in VIEWERS],
    }


def assert_cached_answers_are_fresh(lengths, therapists, client):
    cached = answers(lengths, therapists, client)
    with override_settings(CACHES=NO_CACHE):  # nothing cached: every answer computed from the rows
        fresh = answers(lengths, therapists, client)
    for name in fresh:
        assert cached[name] == fresh[name], name


@settings(
    max_examples=15,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=st.lists(writes, min_size=1, max_size=10))
def test_every_cached_answer_equals_a_fresh_one_after_any_writes(steps):
    with time_machine.travel(timezone.make_aware(START), tick=False) as clock:
        lengths, therapists, patients = fresh_clinic()
        client = Client()
        assert_cached_answers_are_fresh(lengths, therapists, client)
        for write in steps:
            apply(write, lengths, therapists, patients, clock)
            assert_cached_answers_are_fresh(lengths, therapists, client)
