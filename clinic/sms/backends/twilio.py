"""Sends through Twilio's Messages API with the official client. The only module that imports twilio."""

from __future__ import annotations

import threading
from datetime import timedelta

import requests
from django.conf import settings
from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client
from urllib3.exceptions import ConnectTimeoutError, NewConnectionError

from .base import BaseBackend, SendError, SendResult, SentRecord, e164

# Twilio error codes that no retry can fix (https://www.twilio.com/docs/api/errors). Any other
# 4xx except 429 is treated as permanent too; these are listed so the intent is explicit.
PERMANENT_CODES = {
    "21211",  # invalid 'To' number
    "21408",  # region not enabled
    "21610",  # recipient replied STOP
    "21612",  # cannot route to this number
    "21614",  # not a mobile number
}

_clients: dict[tuple, Client] = {}
_clients_lock = threading.Lock()


def _client() -> Client:
    """One client per configuration, so its HTTP connection pool is reused between sends."""
    key = (
        settings.TWILIO_ACCOUNT_SID,
        settings.TWILIO_AUTH_TOKEN,
        settings.TWILIO_API_BASE,
        settings.TWILIO_CONNECT_TIMEOUT,
        settings.TWILIO_READ_TIMEOUT,
    )
    with _clients_lock:
        if key not in _clients:
            http = TwilioHttpClient()
            # requests takes (connect, read) and the client passes it through unchanged; only its
            # constructor insists on a single number.
            http.timeout = (settings.TWILIO_CONNECT_TIMEOUT, settings.TWILIO_READ_TIMEOUT)
            client = Client(settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN, http_client=http)
            if settings.TWILIO_API_BASE:
                # Tests point the real client at a fake server. Not edge/region: those only
                # rewrite the host name and mangle a 127.0.0.1 address.
                client.api.base_url = settings.TWILIO_API_BASE.rstrip("/")
            _clients[key] = client
        return _clients[key]


def _never_reached_twilio(error: requests.ConnectionError) -> bool:
    """True if the connection was never made (refused, DNS, connect timeout), so nothing was sent."""
    if isinstance(error, requests.ConnectTimeout):
        return True
    reason = getattr(error.args[0], "reason", None) if error.args else None
    return isinstance(reason, NewConnectionError | ConnectTimeoutError)


class TwilioBackend(BaseBackend):
    def send(self, message, *, status_callback=""):
        """POST the message to Twilio; classify failures as permanent, transient or maybe-sent.

        Raises `SendError`: permanent for 4xx answers (except 429) and configuration errors,
        transient for 429, 5xx and connections that were never made, maybe_sent for a read
        timeout or a connection dropped after the request went out.
        """
        if not settings.TWILIO_ACCOUNT_SID or not settings.TWILIO_AUTH_TOKEN:
            raise SendError("Twilio is not configured (TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN).", permanent=True)
        sender = {}
        if settings.TWILIO_MESSAGING_SERVICE_SID:
            sender["messaging_service_sid"] = settings.TWILIO_MESSAGING_SERVICE_SID
        elif settings.TWILIO_FROM_NUMBER:
            sender["from_"] = settings.TWILIO_FROM_NUMBER
        else:
            raise SendError("Set TWILIO_FROM_NUMBER or TWILIO_MESSAGING_SERVICE_SID.", permanent=True)
        if status_callback:
            sender["status_callback"] = status_callback
        try:
            sent = _client().messages.create(to=e164(message.to), body=message.body, **sender)
        except TwilioRestException as error:
            code = str(error.code or "")
            transient = error.status == 429 or error.status >= 500
            raise SendError(
                f"Twilio answered {error.status}: {error.msg}",
                code=code or str(error.status),
                permanent=not transient or code in PERMANENT_CODES,
            ) from error
        except requests.ReadTimeout as error:
            raise SendError(
                "Twilio did not answer in time; the text may or may not have been sent.", maybe_sent=True
            ) from error
        except requests.ConnectionError as error:
            if _never_reached_twilio(error):
                raise SendError(f"Could not connect to Twilio: {error}") from error
            raise SendError(
                f"The connection to Twilio dropped; the text may or may not have been sent: {error}", maybe_sent=True
            ) from error
        except TwilioException as error:
            raise SendError(f"Twilio client error: {error}", permanent=True) from error
        return SendResult(provider_id=sent.sid or "")

    def find_sent(self, message, *, since, until, exclude_ids=frozenset()):
        """Ask Twilio's message log (the Messages list, filtered by recipient and date sent) for
        this text; match on the body and the creation time, since Twilio filters dates coarsely.

        Raises `SendError` (transient) if Twilio cannot be asked now.
        """
        # The client sends whole seconds and Twilio filters coarser still: ask a little wider,
        # then match the creation time exactly below.
        margin = timedelta(minutes=1)
        try:
            found = _client().messages.list(
                to=e164(message.to),
                date_sent_after=since - margin,
                date_sent_before=until + margin,
                page_size=100,
                limit=500,
            )
        except (TwilioException, requests.RequestException) as error:
            raise SendError(f"Could not read Twilio's message log: {error}") from error
        for record in found:
            created = record.date_created or record.date_sent
            in_window = created is None or since <= created <= until
            if record.body == message.body and in_window and record.sid not in exclude_ids:
                return SentRecord(provider_id=record.sid, status=str(record.status or "sent"))
        return None


def is_valid_signature(url: str, params: dict, signature: str) -> bool:
    """Check X-Twilio-Signature for a status callback (kept here so only this module imports twilio)."""
    from twilio.request_validator import RequestValidator

    return bool(signature) and RequestValidator(settings.TWILIO_AUTH_TOKEN).validate(url, params, signature)
