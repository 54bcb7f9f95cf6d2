"""Moving an appointment from the diary (drag and drop, or the keyboard), and the live diary.

`MoveView` answers the diary's script with JSON: the move goes through `reschedule_booking`
(lock, re-check, constraint; the patient's time-change text queued), or the refusal's words,
naming the clash. The page's version of the appointment comes with the move, so a move made on a
page drawn before someone else changed the appointment is refused instead of overwriting it.

`DiaryLiveView` is what every open day diary polls (htmx, every 2 seconds): "204 No Content"
while the day's token (`bookings.diary.live`) is the one the page has, else the grid drawn again.
"""

from __future__ import annotations

from datetime import UTC, datetime

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, JsonResponse
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from clinic.core.roles import sees_only_own_appointments
from therapists.models import Therapist

from ..diary.live import day_token
from ..services import BookingError, reschedule_booking
from .diary_views import AdminPageView, DiaryDayView, _day_from

UNREADABLE = "That move could not be read. Reload the diary and try again."


def urls(model_admin) -> list:
    view = model_admin.admin_site.admin_view
    return [
        path("diary/live/", view(DiaryLiveView.as_view(model_admin=model_admin)), name="bookings_diary_live"),
        path(
            "<path:object_id>/move/", view(MoveView.as_view(model_admin=model_admin)), name="bookings_appointment_move"
        ),
    ]


class MoveView(AdminPageView):
    """POST start (Unix seconds), therapist (id) and version (the appointment's `updated_at` as
    the page had it): 200 with the move in words, 409 with the refusal, 400 for nonsense."""

    http_method_names = ["post"]

    def post(self, request, object_id):
        appointment = self.appointment(request, object_id)
        try:
            start = datetime.fromtimestamp(int(request.POST["start"]), UTC)
            therapist = Therapist.objects.get(pk=int(request.POST["therapist"]))
            version = parse_datetime(request.POST.get("version", ""))
        except (KeyError, ValueError, OverflowError, OSError, Therapist.DoesNotExist):
            return JsonResponse({"ok": False, "message": UNREADABLE}, status=400)
        if start == appointment.start and therapist.pk == appointment.therapist_id:
            return JsonResponse({"ok": True, "message": "Left where it was."})
        try:
            moved = reschedule_booking(
                appointment=appointment,
                start=start,
                therapist=therapist,
                by_user=request.user,
                if_unchanged_since=version,
            )
        except BookingError as error:
            return JsonResponse({"ok": False, "message": f"Not moved. {error.message}"}, status=409)
        local = timezone.localtime(moved.start)
        return JsonResponse(
            {
                "ok": True,
                "message": f"Moved {moved.patient.name} to {local:%a} {local.day} {local:%b} {local:%H:%M} "
                f"with {moved.therapist.name}. They will be texted the new time.",
            }
        )


class DiaryLiveView(DiaryDayView):
    """The day's grid again when it changed since the page's token, else 204."""

    def get(self, request):
        if not self.model_admin.has_view_permission(request):
            raise PermissionDenied
        day = _day_from(request)
        own = request.user if sees_only_own_appointments(request.user) else None
        if request.GET.get("token") == day_token(day, only_therapist_user=own):
            return HttpResponse(status=204)
        return TemplateResponse(request, "admin/bookings/_diary_day_live.html", self.day_context(request, day))
