"""The admin index's "at a glance" panel: today's appointments, open callbacks, texts to look at."""

from django import template
from django.db.models import Count
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from callbacks.models import CallbackRequest
from clinic.core.roles import sees_only_own_appointments
from clinic.sms.models import Message

from ..admin_views import diary_url
from ..models import Appointment

register = template.Library()


def _url(name: str) -> str:
    try:
        return reverse(name)
    except NoReverseMatch:
        return ""


@register.simple_tag(takes_context=True)
def clinic_at_a_glance(context) -> dict:
    """Counts for the signed-in user, limited to what their role may see."""
    user = context["request"].user
    today = timezone.localdate()
    glance = {"today": today, "diary_url": diary_url(today)}
    if user.has_perm("bookings.view_appointment"):
        appointments = Appointment.objects.holding_time().on_day(today)
        if sees_only_own_appointments(user):
            appointments = appointments.filter(therapist__user=user)
        per_therapist = list(
            appointments.values("therapist_id", "therapist__name", "therapist__display_order")
            .annotate(count=Count("id"))
            .order_by("therapist__display_order", "therapist__name")
        )
        glance["per_therapist"] = per_therapist
        glance["appointments_today"] = sum(row["count"] for row in per_therapist)
    if user.has_perm("callbacks.view_callbackrequest"):
        glance["open_callbacks"] = CallbackRequest.objects.open().count()
        url = _url("admin:callbacks_callbackrequest_changelist")
        glance["callbacks_url"] = f"{url}?open=yes" if url else ""
    if user.has_perm("sms.view_message"):
        glance["messages_needing_attention"] = Message.objects.needs_attention().count()
        url = _url("admin:sms_message_changelist")
        glance["messages_url"] = f"{url}?attention=yes" if url else ""
    return glance


@register.filter
def minutes(value) -> int:
    """A timedelta as whole minutes, rounded up (the lockout page's "try again in N minutes")."""
    return -(-int(value.total_seconds()) // 60)
