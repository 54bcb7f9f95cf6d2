from django.apps import AppConfig


class CallbacksConfig(AppConfig):
    name = "callbacks"

    def ready(self):
        from bookings.screening import referrals
        from clinic.core import glance, personal_data
        from clinic.sms import inbound, kinds

        from . import personal_data as callbacks_personal_data
        from .glance import open_requests
        from .inbound import pass_to_reception
        from .models import SmsKind
        from .referrals import request_clinical_review

        kinds.register(SmsKind)
        glance.register(open_requests)
        personal_data.register(callbacks_personal_data.CATEGORY)
        # Refer answers in the health questions become clinical-review requests (bookings cannot
        # import callbacks, so it is told whom to hand them to).
        referrals.register(request_clinical_review)
        inbound.register_fallback(pass_to_reception)
