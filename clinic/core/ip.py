"""The client's IP address, correct behind a known number of reverse proxies.

Each proxy appends the address it received the request from to `X-Forwarded-For`, so only the
right-most TRUSTED_PROXY_COUNT entries were written by machines we run; anything to their left was
sent by the client and may be forged. With no trusted proxy the header is ignored entirely.

`client_ip` is also django-ratelimit's `RATELIMIT_IP_META_KEY`, so every `key="ip"` rate limit in
the project counts the same address.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def _valid_ip(value: str) -> str | None:
    value = value.strip()
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


def client_ip(request: HttpRequest) -> str:
    """The address of whoever sent the request, taking trusted proxies into account.

    With N trusted proxies the client is the N-th address from the right of X-Forwarded-For
    (the one the outermost proxy saw). A header shorter than N entries, or an entry that is not an
    address, means the request did not come through our proxies as configured: fall back to
    REMOTE_ADDR rather than trusting it.
    """
    remote = request.META.get("REMOTE_ADDR", "") or "0.0.0.0"
    proxies = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    if proxies <= 0:
        return remote
    forwarded = [part for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if len(forwarded) < proxies:
        return remote
    return _valid_ip(forwarded[-proxies]) or remote


def ratelimit_ip_key(group: str, request: HttpRequest) -> str:
    """django-ratelimit key function (signature `(group, request)`): the client IP, IPv6 by /64.

    A single IPv6 host usually owns a whole /64, so counting per address would let it rotate.
    """
    ip = client_ip(request)
    if ":" in ip:
        return str(ipaddress.ip_network(f"{ip}/64", strict=False).network_address)
    return ip
