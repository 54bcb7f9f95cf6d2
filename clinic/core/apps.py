from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "clinic.core"
    label = "core"
    verbose_name = "Clinic"

    def ready(self):
        from . import (
            admin_log,
            checks,  # noqa: F401  (registers the production checks)
            clinical_access,
            personal_data,
        )

        personal_data.register(admin_log.CATEGORY)
        personal_data.register(clinical_access.CATEGORY)
