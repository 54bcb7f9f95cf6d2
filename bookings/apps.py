from django.apps import AppConfig


class BookingsConfig(AppConfig):
    name = "bookings"

    def ready(self):
        from clinic.core import glance, personal_data
        from clinic.sms import kinds

        from . import personal_data as bookings_personal_data
        from .glance import todays_appointments
        from .notifications import Kind

        kinds.register(Kind)
        glance.register(todays_appointments)
        personal_data.register(bookings_personal_data.PATIENT)
        personal_data.register(bookings_personal_data.APPOINTMENTS)
