"""The admin index's count of texts that need attention, and the banner when texts are not going
out (both registered in `SmsConfig.ready`)."""

from django.urls import reverse
from django.utils import timezone

from clinic.core.glance import Banner, Item, plural

from .health import sms_backlog
from .models import Message


def messages_needing_attention(request):
    if not request.user.has_perm("sms.view_message"):
        return []
    count = Message.objects.needs_attention().count()
    return [
        Item(
            order=30,
            count=count,
            text=f"text {plural(count, 'message')} needing attention",
            url=f"{reverse('admin:sms_message_changelist')}?attention=yes",
            attention=bool(count),
        )
    ]


def texts_not_going_out(request):
    """A red banner for staff when due texts have waited past SMS_BACKLOG_ALERT_MINUTES: since when,
    and how many, so someone checks the worker and beat before patients miss their reminders."""
    if not request.user.is_staff:
        return []
    backlog = sms_backlog()
    if not backlog.is_stuck():
        return []
    since = timezone.localtime(backlog.oldest_due)
    when = f"{since:%H:%M}" if since.date() == timezone.localdate() else f"{since:%H:%M on %a %-d %b}"
    waiting = f"{backlog.waiting} {plural(backlog.waiting, 'text')} waiting"
    can_see_log = request.user.has_perm("sms.view_message")
    return [
        Banner(
            text=f"Texts are not going out: {waiting}, the oldest due since {when}.",
            url=f"{reverse('admin:sms_message_changelist')}?status__exact=pending" if can_see_log else "",
            link_text="See the waiting texts",
            details=(
                "Patients are not getting confirmations or reminders until this clears. Check that the Celery "
                "worker and beat are running; /readyz shows which part is down.",
            ),
        )
    ]
