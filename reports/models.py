"""The reports have no table of their own: they are read from the diary, the callback queue and
the SMS log. This unmanaged model only gives the admin an entry ("Reports") and a permission
(`reports.view_report`, held by the Manager role)."""

from django.db import models


class Report(models.Model):
    class Meta:
        managed = False
        default_permissions = ("view",)
        verbose_name = "report"
        verbose_name_plural = "reports"

    def __str__(self):
        return "Reports"
