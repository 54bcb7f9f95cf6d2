from django.apps import AppConfig


class CodesConfig(AppConfig):
    name = "clinic.codes"
    label = "codes"
    verbose_name = "Texted codes"

    def ready(self):
        from clinic.sms import kinds

        from .models import SmsKind

        kinds.register(SmsKind)
