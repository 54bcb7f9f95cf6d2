from django.apps import AppConfig


class TherapistsConfig(AppConfig):
    name = "therapists"

    def ready(self):
        from clinic.core.versioned import bump_on_m2m_change
        from clinic.core.versions import SETUP

        from .models import Therapist

        # Which lengths a therapist offers is cached with the rest of the clinic's set-up.
        bump_on_m2m_change(Therapist.lengths, SETUP)
