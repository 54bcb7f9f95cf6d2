"""The admin index's count of open callback requests (registered in `CallbacksConfig.ready`)."""

from django.urls import reverse

from clinic.core.glance import Item, plural

from .models import CallbackRequest


def open_requests(request):
    if not request.user.has_perm("callbacks.view_callbackrequest"):
        return []
    count = CallbackRequest.objects.open().count()
    return [
        Item(
            order=20,
            count=count,
            text=f"{plural(count, 'callback request')} to phone back",
            url=f"{reverse('admin:callbacks_callbackrequest_changelist')}?open=yes",
        )
    ]
