"""Every write to bookings goes through these functions (views, admin and tasks call them).

- `booking`: book an appointment; the lock / re-check / constraint guard the others share.
- `free_times`: who is free when, the nearest free times, and a refusal or clash in words.
- `changes`: move or cancel, and the patient's notice rule (`change_policy`).
- `courses`: book a course's sessions all or none; cancel the rest of a course.
- `statuses`: arrived, completed, no-show, restore; the patient confirming they are coming.
- `notes`: the patient's clinical note.
- `patients`: a patient's name, phone and email.
- `resend`: send a confirmation again.
- `privacy`: a patient's data rights: export everything, erase.
- `consents`: consent ticks as records (what, which wording, when, for what).
- `errors`: the refusals, with text safe to show.

Health screening's writes (answers, question versions, referrals) are `bookings.screening.services`.
"""

from ..policy import ChangePolicy, change_policy
from .booking import PatientDetails, check_bookable, create_booking, patient_overlaps
from .changes import cancel_booking, reschedule_booking
from .consents import record_consents
from .courses import book_course, cancel_course
from .errors import (
    AlreadyBooked,
    Alternative,
    BookingError,
    Busy,
    ChangedMeanwhile,
    ChangeNotAllowed,
    NeedsClinicalReview,
    NotOffered,
    PolicyViolation,
    ScreeningError,
    SlotUnavailable,
)
from .free_times import clash_message, clashes, free_nearby_text, nearest_free_starts
from .notes import update_note
from .patients import save_patient_details
from .privacy import erase_patient, erasure_plan, export_patient
from .resend import resend_confirmation
from .statuses import STATUS_TRANSITIONS, allowed_statuses, confirm_attendance, set_status

__all__ = [
    "STATUS_TRANSITIONS",
    "AlreadyBooked",
    "Alternative",
    "BookingError",
    "Busy",
    "ChangedMeanwhile",
    "ChangeNotAllowed",
    "ChangePolicy",
    "NeedsClinicalReview",
    "NotOffered",
    "PatientDetails",
    "PolicyViolation",
    "ScreeningError",
    "SlotUnavailable",
    "allowed_statuses",
    "book_course",
    "cancel_booking",
    "cancel_course",
    "change_policy",
    "check_bookable",
    "clash_message",
    "clashes",
    "confirm_attendance",
    "create_booking",
    "erase_patient",
    "erasure_plan",
    "export_patient",
    "free_nearby_text",
    "nearest_free_starts",
    "patient_overlaps",
    "record_consents",
    "reschedule_booking",
    "resend_confirmation",
    "save_patient_details",
    "set_status",
    "update_note",
]
