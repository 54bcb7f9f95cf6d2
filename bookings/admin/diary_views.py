"""Reception's pages inside the admin: the diary (day and week) and the appointment status actions.

Registered by `AppointmentAdmin.get_urls()`, so they share the admin's login, header and
breadcrumbs. Views are thin: parse the request, call `bookings.diary` or a booking service, show
the service's message, redirect.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.middleware.csrf import get_token
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View

from clinic.core.clinical_access import record_clinical_view
from clinic.core.roles import can_view_clinical_notes, sees_only_own_appointments
from therapists.models import Therapist

from ..diary import Viewer, load_week
from ..diary.html import rows_html
from ..diary.page import day_page
from ..models import Appointment
from ..services import BookingError, allowed_statuses, cancel_booking, resend_confirmation, set_status
from .forms import CancelForm

# The buttons on an appointment's page, in the order reception meets them during a visit.
STATUS_BUTTONS = [
    (Appointment.Status.ARRIVED, "Mark arrived"),
    (Appointment.Status.COMPLETED, "Mark completed"),
    (Appointment.Status.NO_SHOW, "Mark no-show"),
    (Appointment.Status.BOOKED, "Back to booked"),
]


def diary_url(day: date | None = None) -> str:
    url = reverse("admin:bookings_diary")
    return f"{url}?date={day.isoformat()}" if day else url


def week_url(therapist_id: int, day: date) -> str:
    return f"{reverse('admin:bookings_diary_week')}?therapist={therapist_id}&date={day.isoformat()}"


def _day_from(request) -> date:
    try:
        return date.fromisoformat(request.GET.get("date", ""))
    except ValueError:
        return timezone.localdate()


def _next_url(request, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return fallback


def status_actions(model_admin, request, appointment: Appointment) -> dict:
    """Which buttons the appointment page shows this user."""
    if not model_admin.has_change_permission(request, appointment):
        return {}
    allowed = allowed_statuses(appointment)
    buttons = []
    for status, label in STATUS_BUTTONS:
        if status in allowed:
            if status == Appointment.Status.BOOKED and appointment.status in (
                Appointment.Status.CANCELLED,
                Appointment.Status.NO_SHOW,
            ):
                label = "Book again"
            buttons.append(
                {
                    "status": status,
                    "label": label,
                    "url": reverse("admin:bookings_appointment_set_status", args=[appointment.pk, status]),
                }
            )
    return {
        "buttons": buttons,
        "cancel_url": reverse("admin:bookings_appointment_cancel", args=[appointment.pk])
        if appointment.status == Appointment.Status.BOOKED
        else "",
        "resend_url": reverse("admin:bookings_appointment_resend", args=[appointment.pk])
        if appointment.status == Appointment.Status.BOOKED
        else "",
    }


# The live diary redraws itself; looking at the same page again within this is the same look.
SAME_LOOK = timedelta(minutes=30)


def record_notes_shown(request, shown, *, where: str) -> None:
    """Record who saw the notes on these diary blocks or day-sheet appointments (anything with
    `note` and `patient_id`): one row per patient whose note showed, if the viewer may see notes."""
    if can_view_clinical_notes(request.user):
        record_clinical_view(
            user=request.user,
            patient_ids=[s.patient_id for s in shown if s.note],
            what="clinical note",
            where=where,
            unless_within=SAME_LOOK,
        )


class AdminPageView(View):
    model_admin = None

    def context(self, request, title: str, **extra) -> dict:
        return {
            **self.model_admin.admin_site.each_context(request),
            "title": title,
            "opts": Appointment._meta,
            "has_view_permission": True,
            **extra,
        }

    def viewer(self, request) -> Viewer:
        return Viewer(
            can_book=self.model_admin.has_add_permission(request),
            can_see_notes=can_view_clinical_notes(request.user),
            user=request.user,
        )

    def appointment(self, request, object_id) -> Appointment:
        appointment = self.model_admin.get_object(request, object_id)
        if appointment is None:
            raise Http404("No such appointment.")
        if not self.model_admin.has_change_permission(request, appointment):
            raise PermissionDenied
        return appointment


class DiaryDayView(AdminPageView):
    """The day: a column per therapist working, a row per 15 minutes, appointments as blocks."""

    def get(self, request):
        if not self.model_admin.has_view_permission(request):
            raise PermissionDenied
        context = self.day_context(request, _day_from(request))
        return TemplateResponse(request, "admin/bookings/diary_day.html", context)

    def day_context(self, request, day: date) -> dict:
        """Everything the day's page shows (the live diary draws its grid again from this)."""
        own = sees_only_own_appointments(request.user)
        viewer = self.viewer(request)
        # The diary's token is made from the very rows it shows, so a change made while the page
        # is read shows at the next poll (the page is cached with its token: `diary.page`).
        diary = day_page(day, only_therapist_user=request.user if own else None, viewer=viewer)
        token = diary.token
        record_notes_shown(request, diary.notes_shown, where=f"diary, {day:%a} {day.day} {day:%b %Y}")
        today = timezone.localdate()
        return self.context(
            request,
            f"Diary for {day:%A} {day.day} {day:%B %Y}",
            diary=diary,
            rows=diary.rows,
            day=day,
            is_today=day == today,
            today=today,
            previous_url=diary_url(day - timedelta(days=1)),
            next_url=diary_url(day + timedelta(days=1)),
            today_url=diary_url(today),
            add_url=reverse("admin:bookings_appointment_add"),
            can_book=viewer.can_book,
            changelist_url=reverse("admin:bookings_appointment_changelist"),
            live_url=f"{reverse('admin:bookings_diary_live')}?date={day.isoformat()}&token={token}",
            move_url=reverse("admin:bookings_appointment_move", args=[0]).replace("/0/", "/{pk}/"),
            can_move=self.model_admin.has_change_permission(request),
        )


class DiaryWeekView(AdminPageView):
    """One therapist's week (Monday to Sunday), for planning and for therapists themselves."""

    def get(self, request):
        if not self.model_admin.has_view_permission(request):
            raise PermissionDenied
        day = _day_from(request)
        monday = day - timedelta(days=day.weekday())
        therapists = Therapist.objects.all()
        if sees_only_own_appointments(request.user):
            therapists = therapists.filter(user=request.user)
        therapists = list(therapists)
        chosen = request.GET.get("therapist", "")
        # A therapist's login only ever finds its own column here, whatever the URL asks for.
        therapist = next((t for t in therapists if str(t.pk) == chosen), therapists[0] if therapists else None)
        viewer = self.viewer(request)
        grid, not_in_grid = load_week(therapist, monday, viewer=viewer) if therapist else (None, [])
        if grid:
            blocks = [block for column in grid.columns for block in column.appointments] + not_in_grid
            record_notes_shown(request, blocks, where=f"week of {monday.day} {monday:%b %Y}, {therapist}")
        sunday = monday + timedelta(days=6)
        context = self.context(
            request,
            f"{therapist or 'Diary'}: week of {monday.day} {monday:%b} – {sunday.day} {sunday:%b %Y}",
            grid=grid,
            rows=rows_html(grid) if grid else "",
            not_in_grid=not_in_grid,
            therapist=therapist,
            therapists=therapists,
            day=day,
            monday=monday,
            today=timezone.localdate(),
            previous_url=week_url(therapist.pk, monday - timedelta(days=7)) if therapist else "",
            next_url=week_url(therapist.pk, monday + timedelta(days=7)) if therapist else "",
            this_week_url=week_url(therapist.pk, timezone.localdate()) if therapist else "",
            day_url=diary_url(day),
            add_url=reverse("admin:bookings_appointment_add"),
            can_book=viewer.can_book,
        )
        return TemplateResponse(request, "admin/bookings/diary_week.html", context)


def undo_button(request, appointment: Appointment, status: str, next_url: str) -> str:
    """A one-click undo for a message: a small POST form back to `status` (the admin shows
    messages marked safe as HTML)."""
    return format_html(
        '<form method="post" action="{}" class="inline-undo"><input type="hidden" name="csrfmiddlewaretoken" '
        'value="{}"><input type="hidden" name="next" value="{}"><button type="submit" class="button">Undo</button>'
        "</form>",
        reverse("admin:bookings_appointment_set_status", args=[appointment.pk, status]),
        get_token(request),
        next_url,
    )


class StatusChangeView(AdminPageView):
    """POST only: mark arrived, completed, no-show, or book again. A no-show is asked about first
    (it tells on the patient and may cost them a fee), and its message carries an undo."""

    http_method_names = ["post"]

    def post(self, request, object_id, status):
        appointment = self.appointment(request, object_id)
        if status not in Appointment.Status.values or status == Appointment.Status.CANCELLED:
            raise Http404("No such status.")
        fallback = reverse("admin:bookings_appointment_change", args=[appointment.pk])
        no_show = status == Appointment.Status.NO_SHOW and appointment.status != status
        if no_show and request.POST.get("confirm") != "yes":
            context = self.context(
                request,
                f"Mark {appointment.patient.name} as a no-show?",
                appointment=appointment,
                next_url=_next_url(request, fallback),
                change_url=fallback,
            )
            return TemplateResponse(request, "admin/bookings/appointment/no_show_confirm.html", context)
        before = appointment.status
        try:
            updated = set_status(appointment=appointment, status=status, by_user=request.user)
        except BookingError as error:
            messages.error(request, error.message)
        else:
            text = (
                f"{updated.patient.name} ({updated.local_start:%H:%M} with {updated.therapist}) "
                f"is marked {updated.get_status_display().lower()}."
            )
            if no_show:
                text = format_html("{} {}", text, undo_button(request, updated, before, _next_url(request, fallback)))
            messages.success(request, text)
        return HttpResponseRedirect(_next_url(request, fallback))


class CancelView(AdminPageView):
    """Ask for the reason (required) and whether to text the patient, then cancel."""

    def get(self, request, object_id):
        appointment = self.appointment(request, object_id)
        return self.render(request, appointment, CancelForm())

    def post(self, request, object_id):
        appointment = self.appointment(request, object_id)
        form = CancelForm(request.POST)
        if not form.is_valid():
            return self.render(request, appointment, form)
        try:
            cancel_booking(
                appointment=appointment,
                cancelled_by=Appointment.CancelledBy.CLINIC,
                reason=form.cleaned_data["reason"],
                notify_patient=form.cleaned_data["notify_patient"],
                by_user=request.user,
            )
        except BookingError as error:
            messages.error(request, error.message)
            return HttpResponseRedirect(reverse("admin:bookings_appointment_change", args=[appointment.pk]))
        messages.success(
            request, f"Cancelled {appointment.patient.name}'s appointment {appointment.local_start:%a %d %b %H:%M}."
        )
        return HttpResponseRedirect(_next_url(request, diary_url(appointment.local_start.date())))

    def render(self, request, appointment, form):
        context = self.context(
            request,
            f"Cancel {appointment.patient.name}'s appointment",
            appointment=appointment,
            original=appointment,
            form=form,
            change_url=reverse("admin:bookings_appointment_change", args=[appointment.pk]),
        )
        return TemplateResponse(request, "admin/bookings/appointment/cancel.html", context)


class ResendConfirmationView(AdminPageView):
    http_method_names = ["post"]

    def post(self, request, object_id):
        appointment = self.appointment(request, object_id)
        try:
            resend_confirmation(appointment=appointment, by_user=request.user)
        except BookingError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, f"The confirmation text to {appointment.patient.name} is queued again.")
        fallback = reverse("admin:bookings_appointment_change", args=[appointment.pk])
        return HttpResponseRedirect(_next_url(request, fallback))
