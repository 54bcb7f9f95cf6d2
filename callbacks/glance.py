"""The admin index's count of open callback requests (registered in `CallbacksConfig.ready`)."""

from django.db.models import Count, Q
from django.urls import reverse

from clinic.core.glance import Item, plural

from .models import CallbackRequest


def open_requests(request):
    if not request.user.has_perm("callbacks.view_callbackrequest"):
        return []
    counts = CallbackRequest.objects.open().aggregate(
        total=Count("pk"), reviews=Count("pk", filter=Q(clinical_review=True))
    )
    count, reviews = counts["total"], counts["reviews"]
    return [
        Item(
            order=20,
            count=count,
            text=f"{plural(count, 'callback request')} to phone back",
            url=f"{reverse('admin:callbacks_callbackrequest_changelist')}?open=yes",
            # Patients waiting for a therapist's call before they can be booked: never overlooked.
            breakdown=(("for clinical review (top of the queue)", reviews),) if reviews else (),
            attention=bool(reviews),
        )
    ]
