from django.apps import AppConfig


class SmsConfig(AppConfig):
    name = "clinic.sms"
    label = "sms"
    verbose_name = "SMS"

    def ready(self):
        from clinic.core import glance, health, personal_data

        from . import personal_data as sms_personal_data
        from .glance import messages_needing_attention, texts_not_going_out
        from .health import RelayHeartbeat, SmsBacklog

        glance.register(messages_needing_attention)
        glance.register(texts_not_going_out)
        health.register("beat", RelayHeartbeat, needs_workers=True)
        health.register("sms_backlog", SmsBacklog)
        personal_data.register(sms_personal_data.CATEGORY)
        personal_data.register(sms_personal_data.INCOMING)
