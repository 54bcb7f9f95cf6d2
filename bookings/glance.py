"""The admin index's counts from bookings: today's appointments, and health answers to review
(registered in `BookingsConfig.ready`)."""

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from clinic.core.glance import Item, plural
from clinic.core.roles import sees_only_own_appointments

from .models import Appointment, ScreeningStatus, local_day_bounds


def todays_appointments(request):
    user = request.user
    if not user.has_perm("bookings.view_appointment"):
        return []
    from .admin.diary_views import diary_url  # the admin package registers URLs at import

    today = timezone.localdate()
    appointments = Appointment.objects.holding_time().on_day(today)
    if sees_only_own_appointments(user):
        appointments = appointments.filter(therapist__user=user)
    per_therapist = list(
        appointments.values("therapist_id", "therapist__name", "therapist__display_order")
        .annotate(count=Count("id"))
        .order_by("therapist__display_order", "therapist__name")
    )
    total = sum(row["count"] for row in per_therapist)
    return [
        Item(
            order=10,
            count=total,
            text=f"{plural(total, 'appointment')} today",
            link_text="Open today's diary",
            link_url=diary_url(today),
            breakdown=tuple((row["therapist__name"], row["count"]) for row in per_therapist),
        )
    ]


def screening_to_review(request):
    """Upcoming appointments whose screening a therapist must look at before treating: a refer
    answer (from a reception booking's link) or answers changed during booking. Names no condition."""
    user = request.user
    if not user.has_perm("bookings.view_appointment"):
        return []
    start_of_today, _ = local_day_bounds(timezone.localdate())
    upcoming = Appointment.objects.filter(status=Appointment.Status.BOOKED, start__gte=start_of_today).filter(
        Q(screening_status=ScreeningStatus.REFERRAL) | Q(answers_changed=True)
    )
    if sees_only_own_appointments(user):
        upcoming = upcoming.filter(therapist__user=user)
    count = upcoming.count()
    if not count:
        return []
    return [
        Item(
            order=15,
            count=count,
            text=f"upcoming {plural(count, 'appointment')} with health answers to review (referral or answers changed)",
            url=f"{reverse('admin:bookings_appointment_changelist')}?screening=review&status=booked",
            attention=True,
        )
    ]


def wait_list(request):
    """How many people are waiting for a time to come free."""
    if not request.user.has_perm("bookings.view_waitlistentry"):
        return []
    from .models import WaitListEntry

    count = WaitListEntry.objects.waiting().count()
    return [
        Item(
            order=20,
            count=count,
            text=f"{plural(count, 'person', 'people')} on the wait list",
            url=reverse("admin:bookings_waitlistentry_changelist"),
        )
    ]
