from django.apps import AppConfig


class CallbacksConfig(AppConfig):
    name = "callbacks"

    def ready(self):
        from clinic.core import glance, personal_data
        from clinic.sms import kinds

        from . import personal_data as callbacks_personal_data
        from .glance import open_requests
        from .models import SmsKind

        kinds.register(SmsKind)
        glance.register(open_requests)
        personal_data.register(callbacks_personal_data.CATEGORY)
