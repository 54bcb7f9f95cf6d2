"""The client's IP address, correct behind a known number of reverse proxies: one rule everywhere.

Each proxy appends the address it received the request from to `X-Forwarded-For`, so only the
right-most TRUSTED_PROXY_COUNT entries were written by machines we run; anything to their left was
sent by the client and may be forged. The header is believed only when the request's socket
address (REMOTE_ADDR) is one of our proxies (TRUSTED_PROXY_IPS, private and loopback networks by
default): a client that reaches gunicorn directly cannot pick its address by sending the header.

The same function serves django-axes (`AXES_CLIENT_IP_CALLABLE`), every rate limit
(`RATELIMIT_IP_META_KEY`, `ratelimit_ip_key`) and the logs (gunicorn's access log reads it from
the WSGI environ), so a lockout, a limit and a log line always name the same client.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping
from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest

# Where a proxy of ours normally lives: loopback, the RFC 1918 ranges, carrier-grade NAT (some
# cloud load balancers) and IPv6 unique-local addresses. Override with TRUSTED_PROXY_IPS.
DEFAULT_TRUSTED_PROXY_NETWORKS = (
    "127.0.0.0/8",
    "10.0.0.0/8",
    "172.16.0.0/12",
    "192.168.0.0/16",
    "100.64.0.0/10",
    "::1/128",
    "fc00::/7",
)


def _valid_ip(value: str) -> str | None:
    value = value.strip()
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


@lru_cache(maxsize=8)
def _networks(spec: tuple[str, ...]) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return tuple(ipaddress.ip_network(item.strip(), strict=False) for item in spec if item.strip())


def _is_trusted_proxy(address: str, networks: Iterable[str]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip.version == net.version and ip in net for net in _networks(tuple(networks)))


def client_ip_from_meta(meta: Mapping[str, str]) -> str:
    """The client's address from a WSGI environ / `request.META` (see `client_ip`)."""
    remote = _valid_ip(meta.get("REMOTE_ADDR", "") or "") or "0.0.0.0"
    proxies = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    if proxies <= 0:
        return remote
    trusted = getattr(settings, "TRUSTED_PROXY_IPS", None) or DEFAULT_TRUSTED_PROXY_NETWORKS
    if not _is_trusted_proxy(remote, trusted):
        return remote
    forwarded = [part for part in meta.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if len(forwarded) < proxies:
        return remote
    return _valid_ip(forwarded[-proxies]) or remote


def client_ip(request: HttpRequest) -> str:
    """The address of whoever sent the request, taking trusted proxies into account.

    With N trusted proxies the client is the N-th address from the right of X-Forwarded-For
    (the one the outermost proxy saw). The header counts only when REMOTE_ADDR is a trusted
    proxy; a header shorter than N entries, or an entry that is not an address, means the request
    did not come through our proxies as configured: fall back to REMOTE_ADDR rather than trust it.
    """
    return client_ip_from_meta(request.META)


def ratelimit_ip_key(group: str, request: HttpRequest) -> str:
    """django-ratelimit key function (signature `(group, request)`): the client IP, IPv6 by /64.

    A single IPv6 host usually owns a whole /64, so counting per address would let it rotate.
    """
    ip = client_ip(request)
    if ":" in ip:
        return str(ipaddress.ip_network(f"{ip}/64", strict=False).network_address)
    return ip
