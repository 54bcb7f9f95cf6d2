from django.apps import AppConfig


class BookingsConfig(AppConfig):
    name = "bookings"

    def ready(self):
        from clinic.core import glance, personal_data
        from clinic.sms import kinds

        from . import diary
        from . import personal_data as bookings_personal_data
        from .glance import screening_to_review, todays_appointments
        from .notifications import Kind
        from .screening.diary import EXTENSION as screening_badge

        kinds.register(Kind)
        glance.register(todays_appointments)
        personal_data.register(bookings_personal_data.PATIENT)
        personal_data.register(bookings_personal_data.APPOINTMENTS)
        glance.register(screening_to_review)
        diary.register(screening_badge)
