from django.apps import AppConfig


class CodesConfig(AppConfig):
    name = "clinic.codes"
    label = "codes"
    verbose_name = "Texted codes"

    def ready(self):
        from clinic.core import personal_data
        from clinic.sms import kinds

        from . import personal_data as codes_personal_data
        from .models import SmsKind

        kinds.register(SmsKind)
        personal_data.register(codes_personal_data.CATEGORY)
