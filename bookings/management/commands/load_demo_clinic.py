"""Loads an obviously fictional clinic for the demo. Safe to run again: it only adds what is missing.

Besides the next two weeks it fills today and the last seven days, so the diary and the statuses
can be shown: today's past appointments completed, the latest ones arrived and one no-show; last
week mostly completed, with the odd no-show and cancellation. Everything goes through the booking
services, as reception's clicks would; no text is queued.
"""

import random
from datetime import date, time, timedelta
from decimal import Decimal

from django.contrib.auth.models import Group, User
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from bookings.models import Appointment, Patient, Treatment, TreatmentLength, local_day_bounds
from bookings.schedules import find_free_starts
from bookings.screening.questions import NO, REFER, YES, Answers
from bookings.screening.services import current_questionnaire
from bookings.services import BookingError, cancel_booking, create_booking, set_status
from clinic.core.models import ClinicSettings, OpeningHours
from therapists.models import Therapist, WorkingHours

DESCRIPTION = (
    "A firm, hands-on massage that eases tight, shortened muscles and helps them move freely again. "
    "Your therapist locks part of the muscle with gentle pressure, then stretches it."
)
THERAPISTS = [
    # name, bio, weekdays worked, lunch (start, end)
    ("Alex Demo", "Sports and running injuries; former club physio (demo).", [0, 1, 2, 3, 4], ("13:00", "14:00")),
    ("Sam Placeholder", "Desk-work neck and shoulder tension (demo).", [0, 1, 3, 4, 5], ("12:30", "13:30")),
    # Jo also works Sunday mornings, so whatever the day the demo is loaded, someone is in today.
    ("Jo Fictional", "Gentle approach for older patients (demo).", [1, 2, 3, 5, 6], ("13:00", "13:30")),
]
PATIENT_NAMES = [
    "Pat Example", "Chris Test", "Robin Sample", "Morgan Demo", "Jamie Placeholder", "Casey Fiction",
    "Alex Specimen", "Sam Mockup", "Jordan Dummy", "Taylor Instance", "Drew Stand-in", "Kit Prototype",
    "Lee Exemplar", "Rowan Trial", "Sasha Sketch", "Quinn Draft",
]  # fmt: skip
STAFF = [
    # username, password, group, superuser
    ("manager", "demo-manager-2026", "Manager", True),
    ("reception", "demo-reception-2026", "Reception", False),
    ("therapist", "demo-therapist-2026", "Therapist", False),
]
# The manager and the therapist see health data, so they sign in with a second factor: an
# authenticator app holding this (public, demo-only) key, or `manage.py demo_code USERNAME`.
DEMO_TOTP_KEY = b"demo-clinic-2fa-key!".hex()
DEMO_TOTP_SECRET = "MRSW 23ZN MNWG S3TJ MMWT EZTB FVVW K6JB"


class Command(BaseCommand):
    help = "Load the demo clinic (fictional therapists, treatment, appointments and staff logins)."

    @transaction.atomic
    def handle(self, *args, **options):
        clinic = ClinicSettings.load()
        if not OpeningHours.objects.exists():
            OpeningHours.objects.bulk_create(
                [OpeningHours(weekday=d, opens=time(9), closes=time(17)) for d in range(5)]
                + [OpeningHours(weekday=d, opens=time(9), closes=time(13)) for d in (5, 6)]
            )
        treatment, _ = Treatment.objects.get_or_create(
            slug="soft-tissue-release",
            defaults={"name": "Soft tissue release massage", "description": DESCRIPTION},
        )
        lengths = []
        for minutes, price, buffer in ((30, "40", 0), (45, "55", 5), (60, "70", 10)):
            length, _ = TreatmentLength.objects.get_or_create(
                treatment=treatment, minutes=minutes, defaults={"price": Decimal(price), "buffer_minutes": buffer}
            )
            lengths.append(length)
        therapists = []
        for order, (name, bio, weekdays, lunch) in enumerate(THERAPISTS, start=1):
            therapist, created = Therapist.objects.get_or_create(
                slug=name.lower().replace(" ", "-"), defaults={"name": name, "bio": bio, "display_order": order}
            )
            if created:
                therapist.lengths.set(lengths)
                for wd in weekdays:
                    weekend = wd in (5, 6)
                    ranges = [("09:00", "13:00")] if weekend else [("09:00", lunch[0]), (lunch[1], "18:00")]
                    for s, e in ranges:
                        WorkingHours.objects.create(
                            therapist=therapist, weekday=wd, start=time.fromisoformat(s), end=time.fromisoformat(e)
                        )
            therapists.append(therapist)
        self._staff(therapists[0])
        rng = random.Random(2026)
        patients = [
            Patient.objects.get_or_create(phone=f"+4477009001{i:02d}", defaults={"name": name})[0]
            for i, name in enumerate(PATIENT_NAMES)
        ]
        booked = self._upcoming(therapists, lengths, patients, rng)
        booked += self._today(therapists, lengths, patients, rng)
        booked += self._last_week(therapists, lengths, patients, rng)
        self.stdout.write(self.style.SUCCESS(f"Demo clinic ready: {clinic.name}; {booked} new appointments."))
        self.stdout.write(
            f"manager and therapist sign in with a code from an authenticator app (key {DEMO_TOTP_SECRET}, "
            "time-based) or from `manage.py demo_code manager`."
        )

    def _staff(self, own_therapist):
        for username, password, group_name, superuser in STAFF:
            user, created = User.objects.get_or_create(
                username=username,
                defaults={"is_staff": True, "is_superuser": superuser, "first_name": username.title()},
            )
            if created:
                user.set_password(password)
                user.save()
            group = Group.objects.filter(name=group_name).first()
            if group:
                user.groups.add(group)
            if group_name != "Reception" and not TOTPDevice.objects.filter(user=user).exists():
                TOTPDevice.objects.create(user=user, name="Demo authenticator", key=DEMO_TOTP_KEY, confirmed=True)
            if group_name == "Therapist" and own_therapist.user_id is None:
                own_therapist.user = user
                own_therapist.save(update_fields=["user"])

    def _upcoming(self, therapists, lengths, patients, rng) -> int:
        """About a third of the next two weeks, so the diary looks lived in and times are still free."""
        today = timezone.localdate()
        if Appointment.objects.filter(start__gte=local_day_bounds(today + timedelta(days=1))[0]).exists():
            return 0
        made = 0
        for length in lengths:
            for starts in self._free(therapists, length, today + timedelta(days=1), today + timedelta(days=14)):
                made += sum(
                    1 for s in rng.sample(starts, k=min(len(starts), 1)) if self._book(s, length, patients, rng)
                )
        return made

    def _today(self, therapists, lengths, patients, rng) -> int:
        """Roughly every other 45-minute slot today. What has started is marked as reception would
        have: finished visits completed, the latest ones arrived, and one patient who did not come."""
        today = timezone.localdate()
        if Appointment.objects.filter(start__range=local_day_bounds(today)).exists():
            return 0
        made = []
        for starts in self._free(therapists, lengths[1], today, today):
            made += [a for s in starts if rng.random() < 0.5 and (a := self._book(s, lengths[1], patients, rng))]
        now = timezone.now()
        started = sorted((a for a in made if a.start <= now), key=lambda a: a.start)
        for n, appointment in enumerate(started):
            if n == 0:
                status = Appointment.Status.NO_SHOW
            elif appointment.end > now or n == len(started) - 1:
                status = Appointment.Status.ARRIVED  # in the room, or gone but not yet marked done
            else:
                status = Appointment.Status.COMPLETED
            set_status(appointment=appointment, status=status)
        return len(made)

    def _last_week(self, therapists, lengths, patients, rng) -> int:
        """The last seven days, half full: completed, with the odd no-show and cancellation."""
        today = timezone.localdate()
        first = today - timedelta(days=7)
        if Appointment.objects.filter(
            start__gte=local_day_bounds(first)[0], start__lt=local_day_bounds(today)[0]
        ).exists():
            return 0
        made = 0
        for length in lengths:
            for starts in self._free(therapists, length, first, today - timedelta(days=1)):
                for start in rng.sample(starts, k=min(len(starts), 1)):
                    if (appointment := self._book(start, length, patients, rng)) is None:
                        continue
                    made += 1
                    roll = rng.random()
                    if roll < 0.08:
                        cancel_booking(
                            appointment=appointment,
                            cancelled_by=Appointment.CancelledBy.CLINIC,
                            reason="Patient phoned: unwell",
                            notify_patient=False,
                        )
                    else:
                        status = Appointment.Status.NO_SHOW if roll < 0.15 else Appointment.Status.COMPLETED
                        set_status(appointment=appointment, status=status)
        return made

    @staticmethod
    def _free(therapists, length, first: date, last: date):
        """Each therapist's free starts on each day between `first` and `last` (reception's view:
        working hours only, no notice or horizon), as lists."""
        free = find_free_starts(
            therapist_ids=[t.pk for t in therapists], length=length, first_day=first, last_day=last, online=False
        )
        return [starts for per_day in free.values() for starts in per_day.values() if starts]

    @staticmethod
    def _book(start, length, patients, rng) -> Appointment | None:
        # Reception may book a patient twice at once; demo patients are never in two rooms.
        busy = set(
            Appointment.objects.holding_time()
            .filter(start__lt=start + length.duration, end__gt=start)
            .values_list("patient_id", flat=True)
        )
        free = [p for p in patients if p.pk not in busy]
        if not free:
            return None
        source = rng.choice(list(Appointment.Source))
        try:
            return create_booking(
                length=length,
                start=start,
                therapist=None,
                online_rules=False,
                notify_patient=False,
                patient=rng.choice(free),
                source=source,
                # Online bookings answered the health questions; reception's did not.
                screening=demo_answers(rng) if source == Appointment.Source.ONLINE else None,
                note=rng.choice(["", "Tight hamstrings after a half marathon.", "Stiff neck from desk work."]),
            )
        except BookingError:
            return None  # an earlier pass took that time, or the patient is already booked then


def demo_answers(rng: random.Random) -> Answers:
    """No to every question, or now and then Yes to one flag question (never a refer one)."""
    version = current_questionnaire()
    flags = [q["key"] for q in version.questions if q["outcome"] != REFER]
    yes = rng.choice(flags) if flags and rng.random() < 0.25 else None
    return Answers(
        version.number, {q["key"]: {"answer": YES if q["key"] == yes else NO, "detail": ""} for q in version.questions}
    )
