"""Loads an obviously fictional clinic for the demo. Safe to run again: it only adds what is missing."""

import random
from datetime import time, timedelta
from decimal import Decimal

from django.contrib.auth.models import Group, User
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from bookings.models import Appointment, Patient, Treatment, TreatmentLength
from bookings.schedules import find_free_starts
from bookings.screening.questions import NO, REFER, YES, Answers
from bookings.screening.services import current_questionnaire
from bookings.services import BookingError, create_booking
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
    ("Jo Fictional", "Gentle approach for older patients (demo).", [1, 2, 3, 5], ("13:00", "13:30")),
]
PATIENT_NAMES = ["Pat Example", "Chris Test", "Robin Sample", "Morgan Demo", "Jamie Placeholder", "Casey Fiction"]
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
                + [OpeningHours(weekday=5, opens=time(9), closes=time(13))]
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
                    end = "13:00" if wd == 5 else "18:00"
                    ranges = [("09:00", end)] if wd == 5 else [("09:00", lunch[0]), (lunch[1], end)]
                    for s, e in ranges:
                        WorkingHours.objects.create(
                            therapist=therapist, weekday=wd, start=time.fromisoformat(s), end=time.fromisoformat(e)
                        )
            therapists.append(therapist)
        self._staff(therapists[0])
        booked = self._appointments(therapists, lengths)
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

    def _appointments(self, therapists, lengths) -> int:
        """About a third of the next two weeks, so the diary looks lived in and times are still free."""
        now = timezone.now()
        if Appointment.objects.filter(start__gte=now).exists():
            return 0
        rng = random.Random(2026)
        patients = [
            Patient.objects.get_or_create(phone=f"+4477009001{i:02d}", defaults={"name": name})[0]
            for i, name in enumerate(PATIENT_NAMES)
        ]
        today = timezone.localdate()
        made = 0
        for length in lengths:
            free = find_free_starts(
                therapist_ids=[t.pk for t in therapists],
                length=length,
                first_day=today + timedelta(days=1),
                last_day=today + timedelta(days=14),
                now=now,
            )
            for therapist in therapists:
                for starts in free[therapist.pk].values():
                    for start in rng.sample(starts, k=min(len(starts), 1)):
                        source = rng.choice(list(Appointment.Source))
                        try:
                            create_booking(
                                length=length,
                                start=start,
                                therapist=therapist,
                                online_rules=False,
                                notify_patient=False,
                                patient=rng.choice(patients),
                                source=source,
                                # Online bookings answered the health questions; reception's did not.
                                screening=demo_answers(rng) if source == Appointment.Source.ONLINE else None,
                                note=rng.choice(
                                    ["", "Tight hamstrings after a half marathon.", "Stiff neck from desk work."]
                                ),
                            )
                            made += 1
                        except BookingError:
                            pass  # an earlier pass took that time; fine for demo data
        return made


def demo_answers(rng: random.Random) -> Answers:
    """No to every question, or now and then Yes to one flag question (never a refer one)."""
    version = current_questionnaire()
    flags = [q["key"] for q in version.questions if q["outcome"] != REFER]
    yes = rng.choice(flags) if flags and rng.random() < 0.25 else None
    return Answers(
        version.number, {q["key"]: {"answer": YES if q["key"] == yes else NO, "detail": ""} for q in version.questions}
    )
