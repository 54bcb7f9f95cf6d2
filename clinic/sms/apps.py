from django.apps import AppConfig


class SmsConfig(AppConfig):
    name = "clinic.sms"
    label = "sms"
    verbose_name = "SMS"

    def ready(self):
        from clinic.core import glance

        from .glance import messages_needing_attention

        glance.register(messages_needing_attention)
