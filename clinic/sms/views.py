from django.conf import settings
from django.http import HttpResponse, HttpResponseForbidden
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from . import inbound, services
from .backends.twilio import is_valid_signature

# What the incoming-message webhook answers: no message (replies go through the outbox).
EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'


def _signed_by_twilio(request) -> bool:
    """Whether X-Twilio-Signature is Twilio's, over the full URL as Twilio called it and the POST.

    Behind a TLS-terminating proxy `build_absolute_uri()` gives the https address because settings
    trust X-Forwarded-Proto. Without an auth token nothing can be checked, so nothing is accepted.
    """
    signature = request.headers.get("X-Twilio-Signature", "")
    return bool(settings.TWILIO_AUTH_TOKEN) and is_valid_signature(
        request.build_absolute_uri(), request.POST.dict(), signature
    )


@csrf_exempt  # Twilio cannot send a CSRF token; its signature authenticates the request instead
@require_POST
def status_callback(request, token):
    """Twilio's delivery report for one message, identified by the unguessable token in the URL."""
    if not _signed_by_twilio(request):
        return HttpResponseForbidden("Invalid signature")
    params = request.POST
    services.record_status_report(
        token=token,
        status=params.get("MessageStatus", ""),
        error_code=params.get("ErrorCode", ""),
        provider_id=params.get("MessageSid", ""),
    )
    # 200 even for an unknown token, so Twilio does not keep retrying a message we no longer have.
    return HttpResponse(status=200)


@csrf_exempt
@require_POST
def incoming(request):
    """Twilio's incoming-message webhook: a text a patient sent to the clinic's number.

    Forged or unsigned requests get 403 and change nothing. The text is stored and acted on once
    per MessageSid: Twilio retrying gets the same empty answer, and the same signed request sent
    again long after (a replay) gets 403; neither does anything twice.
    """
    if not _signed_by_twilio(request):
        return HttpResponseForbidden("Invalid signature")
    params = request.POST
    sid = params.get("MessageSid") or params.get("SmsSid") or ""
    if not sid or not params.get("From"):
        return HttpResponse("MessageSid and From are required", status=400)
    received = inbound.receive_text(
        message_sid=sid[:64],
        sender=params["From"],
        to=params.get("To", ""),
        body=params.get("Body", ""),
        opt_out_type=params.get("OptOutType", ""),
    )
    if received.replay:
        return HttpResponseForbidden("Already received")
    return HttpResponse(EMPTY_TWIML, content_type="text/xml")
