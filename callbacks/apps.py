from django.apps import AppConfig


class CallbacksConfig(AppConfig):
    name = "callbacks"

    def ready(self):
        from clinic.core import glance
        from clinic.sms import kinds

        from .glance import open_requests
        from .models import SmsKind

        kinds.register(SmsKind)
        glance.register(open_requests)
