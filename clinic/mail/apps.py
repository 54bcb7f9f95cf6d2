from django.apps import AppConfig


class MailConfig(AppConfig):
    name = "clinic.mail"
    label = "mail"
    verbose_name = "Email"

    def ready(self):
        from clinic.core import glance, personal_data

        from . import personal_data as mail_personal_data
        from .glance import emails_needing_attention

        glance.register(emails_needing_attention)
        personal_data.register(mail_personal_data.CATEGORY)
