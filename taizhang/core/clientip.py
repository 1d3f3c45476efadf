"""The address a request came from, read correctly behind the reverse proxies we trust."""

import ipaddress
from functools import cache

from django.conf import settings
from django.http import HttpRequest

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@cache
def _trusted() -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(n, strict=False) for n in settings.TRUSTED_PROXIES)


def _is_trusted(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in _trusted())


def client_ip(request: HttpRequest) -> str:
    """REMOTE_ADDR, unless it is a trusted proxy: then the right-most address of
    X-Forwarded-For that is not a trusted proxy (the left part is whatever the client wrote)."""
    remote = request.META.get("REMOTE_ADDR", "")
    if not _is_trusted(remote):
        return remote
    forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    for address in reversed([a for a in forwarded if a]):
        if not _is_trusted(address):
            try:
                return str(ipaddress.ip_address(address))
            except ValueError:
                return remote  # a forged or broken header: fall back to the proxy itself
    return remote
