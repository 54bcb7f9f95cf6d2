"""Courses of sessions in the admin: preview and book a course from an appointment, and cancel
what is left of one. Thin views over `bookings.courses` (the preview) and the course services."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone

from therapists.models import Therapist

from ..courses import plan_course, session_label, session_numbers
from ..models import Appointment, Course
from ..services import BookingError, book_course, cancel_course
from .diary_views import AdminPageView
from .forms import CancelForm, CourseChoiceForm, CoursePlanForm


def urls(model_admin) -> list:
    """The course pages, registered by `AppointmentAdmin.get_urls` ahead of its catch-all paths."""
    view = model_admin.admin_site.admin_view
    return [
        path(
            "course/<int:course_id>/cancel/",
            view(CourseCancelView.as_view(model_admin=model_admin)),
            name="bookings_course_cancel",
        ),
        path(
            "<path:object_id>/course/",
            view(CourseView.as_view(model_admin=model_admin)),
            name="bookings_appointment_course",
        ),
    ]


def _change_url(appointment) -> str:
    return reverse("admin:bookings_appointment_change", args=[appointment.pk])


def course_summary(model_admin, request, appointment: Appointment) -> dict:
    """What the appointment page shows about courses: "session 2 of 6" and the other sessions, or
    a "Book a course" link."""
    may_change = model_admin.has_change_permission(request, appointment)
    course_url = reverse("admin:bookings_appointment_course", args=[appointment.pk])
    if appointment.course_id is None:
        return {"book_url": course_url if may_change and appointment.holds_time else ""}
    sessions = list(appointment.course.sessions.select_related("therapist").order_by("start"))
    numbers = session_numbers(sessions)
    future = [s for s in sessions if s.status == Appointment.Status.BOOKED and s.start > timezone.now()]
    return {
        "course": appointment.course,
        "label": session_label(numbers, appointment.pk),
        "sessions": [(s, session_label(numbers, s.pk)) for s in sessions],
        "more_url": course_url if may_change and appointment.holds_time else "",
        "cancel_url": reverse("admin:bookings_course_cancel", args=[appointment.course_id])
        if may_change and future
        else "",
    }


class CourseView(AdminPageView):
    """GET: the preview of the next sessions (defaults: 5 more, weekly). POST: book the chosen ones."""

    def get(self, request, object_id):
        appointment = self.appointment(request, object_id)
        if not appointment.holds_time:
            messages.error(request, "Only a booked appointment can start a course.")
            return HttpResponseRedirect(_change_url(appointment))
        plan_form = CoursePlanForm(request.GET if "sessions" in request.GET else None)
        return self.render(request, appointment, plan_form, self.plan(appointment, plan_form))

    def post(self, request, object_id):
        appointment = self.appointment(request, object_id)
        plan_form = CoursePlanForm(request.POST)
        choices = self.plan(appointment, plan_form, data=request.POST)
        if plan_form.is_valid() and choices.is_valid():
            chosen = choices.chosen()
            therapists = Therapist.objects.in_bulk({therapist_id for _, therapist_id in chosen})
            try:
                course = book_course(
                    appointment=appointment,
                    sessions=[(start, therapists[therapist_id]) for start, therapist_id in chosen],
                    every_weeks=plan_form.cleaned_data["every_weeks"],
                    by_user=request.user,
                )
            except BookingError as error:
                messages.error(request, error.message)
                # Drawn again from the diary as it is now, so the taken time shows as taken.
                return self.render(request, appointment, plan_form, self.plan(appointment, plan_form))
            count = len(chosen)
            total = course.sessions.exclude(status=Appointment.Status.CANCELLED).count()
            messages.success(
                request,
                f"Booked {count} more session{'s' if count != 1 else ''} for {appointment.patient.name} "
                f"({total} in the course). One text lists every date.",
            )
            return HttpResponseRedirect(_change_url(appointment))
        return self.render(request, appointment, plan_form, choices)

    @staticmethod
    def plan(appointment, plan_form, data=None) -> CourseChoiceForm:
        if plan_form.is_bound and plan_form.is_valid():
            sessions, every = plan_form.cleaned_data["sessions"], plan_form.cleaned_data["every_weeks"]
        else:
            sessions, every = plan_form.fields["sessions"].initial, plan_form.fields["every_weeks"].initial
        return CourseChoiceForm(plan_course(appointment=appointment, sessions=sessions, every_weeks=every), data)

    def render(self, request, appointment, plan_form, choices):
        context = self.context(
            request,
            f"Book a course for {appointment.patient.name}",
            appointment=appointment,
            original=appointment,
            plan_form=plan_form,
            choices=choices,
            in_course=bool(appointment.course_id),
            change_url=_change_url(appointment),
        )
        return TemplateResponse(request, "admin/bookings/appointment/course.html", context)


class CourseCancelView(AdminPageView):
    """Confirm (with a reason, and whether to text the patient), then cancel the rest of a course."""

    def course(self, request, course_id) -> tuple[Course, list[Appointment]]:
        if not self.model_admin.has_change_permission(request):
            raise PermissionDenied
        course = get_object_or_404(Course.objects.select_related("patient", "therapist"), pk=course_id)
        future = list(
            course.sessions.filter(status=Appointment.Status.BOOKED, start__gt=timezone.now())
            .select_related("therapist")
            .order_by("start")
        )
        return course, future

    def get(self, request, course_id):
        course, future = self.course(request, course_id)
        return self.render(request, course, future, CancelForm())

    def post(self, request, course_id):
        course, future = self.course(request, course_id)
        form = CancelForm(request.POST)
        if not form.is_valid():
            return self.render(request, course, future, form)
        try:
            cancelled = cancel_course(
                course=course,
                reason=form.cleaned_data["reason"],
                notify_patient=form.cleaned_data["notify_patient"],
                by_user=request.user,
            )
        except BookingError as error:
            messages.error(request, error.message)
        else:
            count = len(cancelled)
            messages.success(
                request,
                f"Cancelled {count} remaining session{'s' if count != 1 else ''} of {course.patient.name}'s course.",
            )
        first = course.sessions.order_by("start").first()
        return HttpResponseRedirect(_change_url(first))

    def render(self, request, course, future, form):
        first = course.sessions.order_by("start").first()
        context = self.context(
            request,
            f"Cancel the rest of {course.patient.name}'s course",
            course=course,
            future=future,
            form=form,
            change_url=_change_url(first),
        )
        return TemplateResponse(request, "admin/bookings/appointment/course_cancel.html", context)
