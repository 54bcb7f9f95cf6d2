"""A patient with a record of every kind the clinic keeps, and a search of the whole database.

Used by the export, erasure and retention tests: Cara has appointments (with a note, health
answers with a detail naming her, consent records and a cancellation), a course whose rest was
cancelled (with a reason naming her), texts (one failed with a Twilio error quoting her number),
emails with calendar invitations (to the address she booked with, since changed), a
callback request with a call note, history rows, admin log entries, a clinical access record, a
texted code, texts she sent (one STOP) and a wait-list entry. Add every new kind of record here:
the tests then cover it.
Olly shares her therapist and her day, and must come through every operation untouched.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.contrib.admin.models import CHANGE, LogEntry
from django.db import connection
from django.utils import timezone

from bookings import course_texts
from bookings.consents import Purpose
from bookings.models import Appointment, Course, Patient
from bookings.services import PatientDetails, cancel_booking, create_booking, save_patient_details
from bookings.waitlist.entries import Wish, add_to_wait_list
from callbacks.services import log_call_attempt, request_callback, set_request_status
from clinic.codes.models import PhoneCode
from clinic.core.clinical_access import record_clinical_view
from clinic.core.models import ClinicSettings
from clinic.sms.inbound import receive_text
from clinic.sms.models import Message
from tests.bookings.screening_support import answers, seeded_questionnaire
from tests.conftest import at

CARA = {"name": "Cara Callback", "phone": "+447400111222", "email": "cara@example.com"}
CARA_OLD_EMAIL = "cara.old@example.com"
# Every way her identity could be written down.
CARA_NEEDLES = ("Cara Callback", "+447400111222", "07400 111222", "07400111222", "7400 111222", "cara@example.com",
                CARA_OLD_EMAIL)  # fmt: skip
# What she typed under a health question: it names her, so erasure must not leave it anywhere.
CARA_DETAIL = "Warfarin, Cara Callback's GP says"
OLLY = {"name": "Olly Other", "phone": "+447400333444", "email": "olly@example.com"}
OLLY_NEEDLES = ("Olly Other", "+447400333444", "olly@example.com")


@dataclass
class Seeded:
    cara: Patient
    olly: Patient
    visit: Appointment  # Cara's kept appointment (note, screening answers)
    cancelled: Appointment
    course: Course  # the course her cancelled appointment belonged to
    olly_visit: Appointment
    day: date


def seed(*, therapist, lengths, day, staff) -> Seeded:
    """Write Cara's and Olly's records through the services, as the clinic would have."""
    clinic = ClinicSettings.load()
    clinic.reception_mobile, clinic.reception_email = "+447400999000", "reception@clinic.example.test"
    clinic.save()
    book = {"therapist": therapist, "online_rules": False}
    visit = create_booking(
        length=lengths[45],
        start=at(day, "10:00"),
        patient=PatientDetails(name=CARA["name"], phone=CARA["phone"], email=CARA_OLD_EMAIL),
        note="Sore left knee after a fall",
        screening=answers(seeded_questionnaire(), yes=["blood-thinners"], details={"blood-thinners": CARA_DETAIL}),
        consents=(Purpose.PRIVACY_NOTICE, Purpose.CANCELLATION_POLICY),
        **book,
    )
    cara = visit.patient
    save_patient_details(patient=cara, name=CARA["name"], phone=CARA["phone"], email=CARA["email"], by_user=staff)
    cancelled = create_booking(length=lengths[30], start=at(day, "14:00"), patient=cara, **book)
    cancel_booking(
        appointment=cancelled, cancelled_by="clinic", reason="Cara Callback phoned: knee worse", by_user=staff
    )
    # Her cancelled appointment was a course's session; the course's texts are about the course.
    course = Course.objects.create(
        patient=cara,
        therapist=therapist,
        length=lengths[30],
        cancelled_at=timezone.now(),
        cancellation_reason="Cara Callback phoned: moving away",
    )
    Appointment.objects.filter(pk=cancelled.pk).update(course=course)
    course_texts.course_cancelled(course, [cancelled])
    olly_visit = create_booking(
        length=lengths[30],
        start=at(day, "11:00"),
        patient=PatientDetails(name=OLLY["name"], phone=OLLY["phone"], email=OLLY["email"]),
        note="Olly's stiff shoulder",
        **book,
    )
    # A text that failed, with the provider's error quoting her number.
    Message.objects.about(visit).filter(kind="booking_confirmation").update(
        status=Message.Status.FAILED,
        error_code="21211",
        error_message=f"The 'To' number {CARA['phone']} is not a valid phone number.",
    )
    submission = request_callback(
        name=CARA["name"],
        phone=CARA["phone"],
        reason="question",
        message="Is it OK with my knee?",
        clinical_review=True,
        consents=(Purpose.CALLBACK_CONTACT,),
    )
    log_call_attempt(
        callback_request=submission.request, outcome="reached", note="Spoke to Cara Callback", by_user=staff
    )
    set_request_status(callback_request=submission.request, status="done", by_user=staff)
    for obj in (cara, visit, submission.request):
        LogEntry.objects.log_actions(staff.pk, [obj], CHANGE, change_message=[{"changed": {"fields": ["Name"]}}])
    record_clinical_view(
        user=staff, patient_ids=[cara.pk], what="clinical note", where=f"appointment {visit.reference}"
    )
    # She answered a reminder (Y: her visit is confirmed, the stored text names it), opted out of
    # reminders, and joined the wait list.
    receive_text(message_sid="SM" + "c" * 32, sender=CARA["phone"], body="Y")
    receive_text(message_sid="SM" + "d" * 32, sender=CARA["phone"], body="STOP")
    add_to_wait_list(
        name=CARA["name"],
        phone=CARA["phone"],
        wish=Wish(length=lengths[45], therapist=None, days=[0, 1], parts=["morning"], last_day=day),
        note="Cara Callback prefers mornings",
    )
    # She asked for a code to see her bookings (written directly: no purpose need be registered).
    PhoneCode.objects.create(
        phone=CARA["phone"], purpose="my_bookings", expires_at=timezone.now() + timedelta(minutes=10)
    )
    return Seeded(
        cara=cara,
        olly=olly_visit.patient,
        visit=visit,
        cancelled=cancelled,
        course=course,
        olly_visit=olly_visit,
        day=day,
    )


def found_in_database(needles) -> list[str]:
    """Every (table.column: needle) where a needle appears, case-insensitively, in any column of
    any table (history tables, SMS, callbacks, the admin log, sessions...), read as text."""
    lowered = [needle.lower() for needle in needles]
    hits = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            columns = [c.name for c in connection.introspection.get_table_description(cursor, table)]
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            for row in cursor.fetchall():
                for column, value in zip(columns, row, strict=True):
                    text = str(value).lower() if value is not None else ""
                    hits += [f"{table}.{column}: {n}" for n, low in zip(needles, lowered, strict=True) if low in text]
    return sorted(set(hits))
