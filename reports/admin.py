"""The managers' reports page in the admin (/admin/reports/report/), with CSV downloads.

The "Report" model has no table; its admin replaces the list and change pages with one page that
reads the figures for a period (`figures.build_report`) and shows each section as a chart and a
table. Only holders of `reports.view_report` (the Manager role) see it.
"""

from __future__ import annotations

import csv

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone

from .figures import build_report
from .forms import PeriodForm
from .models import Report
from .period import default_period, presets
from .sections import headlines, sections


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        view = self.admin_site.admin_view(self.report_view)
        return [path("", view, name="reports_report_changelist")]

    def report_view(self, request):
        """The figures for the chosen period (last month by default); `?format=csv&section=…`
        downloads one section's table."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        today = timezone.localdate()
        form = PeriodForm(request.GET if "first" in request.GET else None)
        period = form.period() if form.is_bound and form.is_valid() else default_period(today)
        if not form.is_bound:
            form = PeriodForm(initial={"first": period.first, "last": period.last})
        report = build_report(period)
        parts = sections(report)
        if request.GET.get("format") == "csv":
            return self.csv(parts, request.GET.get("section", ""), period)
        context = {
            **self.admin_site.each_context(request),
            "title": f"Reports: {period.label}",
            "opts": self.opts,
            "form": form,
            "period": period,
            "presets": [(label, p, p == period) for label, p in presets(today)],
            "report": report,
            "sections": parts,
            "headlines": headlines(report),
        }
        return TemplateResponse(request, "admin/reports/report.html", context)

    @staticmethod
    def csv(parts, key: str, period) -> HttpResponse:
        section = next((s for s in parts if s.key == key), None)
        if section is None:
            raise Http404("No such section.")
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="clinic-{section.key}-{period.slug}.csv"'
        writer = csv.writer(response)
        writer.writerow(section.header)
        for row in section.rows:
            writer.writerow([cell.raw for cell in row])
        return response
