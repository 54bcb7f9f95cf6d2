from django.apps import AppConfig


class BookingsConfig(AppConfig):
    name = "bookings"

    def ready(self):
        from clinic.codes import purposes
        from clinic.core import glance, personal_data
        from clinic.sms import inbound, kinds
        from therapists import hooks

        from . import diary
        from . import personal_data as bookings_personal_data
        from .course_texts import CourseKind
        from .diary.reception import EXTENSION as reception_details
        from .glance import screening_to_review, todays_appointments, wait_list
        from .inbound import CONFIRMED_BADGE, answer_reminder, patient_with_number
        from .my_bookings import CODE_PURPOSE as MY_BOOKINGS
        from .my_bookings import holds_bookings
        from .notifications import OPTIONAL_KINDS, Kind
        from .screening import personal_data as screening_personal_data
        from .screening.diary import EXTENSION as screening_badge
        from .waitlist import freed
        from .waitlist import personal_data as wait_list_personal_data
        from .waitlist.entries import CODE_PURPOSE

        kinds.register(Kind, optional=OPTIONAL_KINDS)
        kinds.register(CourseKind)
        glance.register(todays_appointments)
        glance.register(wait_list)
        personal_data.register(bookings_personal_data.PATIENT)
        personal_data.register(bookings_personal_data.APPOINTMENTS)
        personal_data.register(screening_personal_data.HEALTH_ANSWERS)
        personal_data.register(screening_personal_data.CONSENTS)
        glance.register(screening_to_review)
        diary.register(screening_badge)
        diary.register(reception_details)
        personal_data.register(bookings_personal_data.COURSES)
        personal_data.register(wait_list_personal_data.CATEGORY)
        inbound.register_contact_lookup(patient_with_number)
        inbound.register(answer_reminder, order=10)
        diary.register(CONFIRMED_BADGE)
        purposes.register(CODE_PURPOSE, action="join our wait list")
        purposes.register(MY_BOOKINGS, action="see your bookings", may_receive=holds_bookings)
        hooks.on_hours_added(freed.hours_added)
