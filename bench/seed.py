"""Seeds the shared benchmark workload (bench/workload.py) into this app's tables."""

from datetime import datetime
from decimal import Decimal

from django.utils import timezone

from bench import workload
from bookings.models import Appointment, Patient, Treatment, TreatmentLength, new_reference
from therapists.models import Therapist, WorkingHours


def seed(days: int):
    """The workload's diary: 8 therapists with their hours, the three lengths, the patients and
    the pre-booked appointments. Returns (workload rows, therapists in order, lengths by key)."""
    treatment = Treatment.objects.create(name="Soft tissue massage", slug="stm")
    lengths = {
        s.key: TreatmentLength.objects.create(treatment=treatment, minutes=s.minutes, price=Decimal(s.price_gbp))
        for s in workload.SERVICES
    }
    therapists = []
    for i in range(workload.THERAPIST_COUNT):
        therapist = Therapist.objects.create(name=f"Therapist {i + 1}", slug=f"therapist-{i + 1}", display_order=i)
        therapist.lengths.set(lengths.values())
        WorkingHours.objects.bulk_create(
            WorkingHours(therapist=therapist, weekday=wd, start=s, end=e)
            for wd, ranges in workload.WEEKDAY_HOURS.items()
            for s, e in ranges
        )
        therapists.append(therapist)
    patients = Patient.objects.bulk_create(
        Patient(name=f"Client {c}", phone=f"+4477009{c:05d}") for c in range(workload.CLIENT_COUNT)
    )
    rows = workload.diary(days)
    appointments = []
    references = set()
    for b in rows:
        appointment = Appointment(
            patient=patients[b.client],
            therapist=therapists[b.therapist],
            length=lengths[b.service],
            start=timezone.make_aware(datetime.combine(b.date, b.start)),
        )
        appointment.set_times()
        while appointment.reference in references:  # bulk_create bypasses save()'s retry
            appointment.reference = new_reference()
        references.add(appointment.reference)
        appointments.append(appointment)
    Appointment.objects.bulk_create(appointments, batch_size=1000)
    return rows, therapists, lengths
