from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "clinic.core"
    label = "core"
    verbose_name = "Clinic"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from . import pg_timestamps

        pg_timestamps.install()

        from . import (
            admin_log,
            checks,  # noqa: F401  (registers the production checks)
            clinical_access,
            personal_data,
            sessions_retention,
        )
        from .staff_sessions import start_staff_session

        personal_data.register(admin_log.CATEGORY)
        personal_data.register(clinical_access.CATEGORY)
        personal_data.register(sessions_retention.CATEGORY)
        # Auth plumbing, not domain flow: the session's clock starts when someone signs in.
        user_logged_in.connect(start_staff_session, dispatch_uid="clinic.core.start_staff_session")
