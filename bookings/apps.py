from django.apps import AppConfig


class BookingsConfig(AppConfig):
    name = "bookings"

    def ready(self):
        from clinic.core import glance
        from clinic.sms import kinds

        from .glance import todays_appointments
        from .notifications import Kind

        kinds.register(Kind)
        glance.register(todays_appointments)
