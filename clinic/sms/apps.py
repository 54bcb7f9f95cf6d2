from django.apps import AppConfig


class SmsConfig(AppConfig):
    name = "clinic.sms"
    label = "sms"
    verbose_name = "SMS"
