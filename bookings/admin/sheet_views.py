"""The printable day sheet, from the diary's "Print" button: one page per therapist."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone

from clinic.core.roles import can_view_clinical_notes, sees_only_own_appointments

from ..diary.sheet import load_day_sheet
from .diary_views import AdminPageView, _day_from, diary_url, record_notes_shown


def urls(model_admin) -> list:
    view = model_admin.admin_site.admin_view
    return [path("diary/sheet/", view(DaySheetView.as_view(model_admin=model_admin)), name="bookings_day_sheet")]


class DaySheetView(AdminPageView):
    """A day's appointments as a list per therapist, laid out to print one therapist per page.

    Notes are printed only for staff holding the clinical-notes permission; therapists see only
    their own page, as in the diary.
    """

    def get(self, request):
        if not self.model_admin.has_view_permission(request):
            raise PermissionDenied
        day = _day_from(request)
        own = sees_only_own_appointments(request.user)
        pages, closure = load_day_sheet(day, only_therapist_user=request.user if own else None)
        shown = [row.appointment for page in pages for row in page.rows]
        record_notes_shown(request, shown, where=f"day sheet, {day:%a} {day.day} {day:%b %Y}")
        context = self.context(
            request,
            f"Day sheet for {day:%A} {day.day} {day:%B %Y}",
            pages=pages,
            closure=closure,
            day=day,
            diary_url=diary_url(day),
            can_see_notes=can_view_clinical_notes(request.user),
            printed_at=timezone.localtime(),
        )
        return TemplateResponse(request, "admin/bookings/day_sheet.html", context)
