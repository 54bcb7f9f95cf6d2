"""django.contrib.admin with the clinic's site (two factors by role, see two_factor.py). In a
module of its own: an apps module may declare only one AppConfig."""

from django.contrib.admin.apps import AdminConfig


class ClinicAdminConfig(AdminConfig):
    default_site = "clinic.core.two_factor.ClinicAdminSite"
