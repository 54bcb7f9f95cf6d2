"""The admin index's count of today's appointments (registered in `BookingsConfig.ready`)."""

from django.db.models import Count
from django.utils import timezone

from clinic.core.glance import Item, plural
from clinic.core.roles import sees_only_own_appointments

from .models import Appointment


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
