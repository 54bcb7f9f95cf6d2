"""The admin index's count of texts that need attention (registered in `SmsConfig.ready`)."""

from django.urls import reverse

from clinic.core.glance import Item, plural

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
