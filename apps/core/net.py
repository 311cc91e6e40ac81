"""The client's address: one function for throttles, login lockout and the audit trail.

Behind a reverse proxy every request comes from the proxy's address, so throttles would put all
residents in one bucket and the audit trail would name the proxy. X-Forwarded-For is believed
only when the request comes from an address listed in `GONGZHI_TRUSTED_PROXIES` (addresses or
CIDR blocks; empty by default, so a client can never choose its own address by sending the
header). The header is read from the right: each trusted hop is skipped, and the first address
that is not a trusted proxy is the client.
"""

import ipaddress
from functools import lru_cache
from typing import Any

from django.conf import settings

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def _networks(entries: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(e.strip(), strict=False) for e in entries if e.strip())


def trusted_proxies() -> tuple[Network, ...]:
    return _networks(tuple(settings.GONGZHI_TRUSTED_PROXIES))


def _address(value: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(value.strip())
    except ValueError:
        return None


def _trusted(address: Any, networks: tuple[Network, ...]) -> bool:
    return any(address in net for net in networks)


def client_ip(request: Any) -> str | None:
    """The address of the person behind the request (see the module docstring)."""
    remote = request.META.get("REMOTE_ADDR") or None
    networks = trusted_proxies()
    peer = _address(remote or "")
    if peer is None or not networks or not _trusted(peer, networks):
        return remote
    client = str(peer)
    for hop in reversed(request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")):
        address = _address(hop)
        if address is None:
            break  # a garbled entry: trust nothing to the left of it
        client = str(address)
        if not _trusted(address, networks):
            break
    return client
