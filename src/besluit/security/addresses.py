"""The client's address, for throttling and the audit log: one rule for the edge and Django.

The address is the connection's peer, unless that peer is one of our own reverse
proxies (``BESLUIT_TRUSTED_PROXIES``: addresses or networks, empty by default): then
it is the right-most address in ``X-Forwarded-For`` that is not a trusted proxy. The
left part of that header is whatever the client wrote, so nothing left of the first
untrusted hop is believed. ``X-Forwarded-Proto`` from a trusted proxy sets the scheme.

The ASGI server must not apply forwarded headers itself (``besluit serve`` and
``besluit demo`` run uvicorn with ``proxy_headers=False``): it would replace the
peer before this rule sees it. ``ClientAddress`` applies the rule to the ASGI scope
(``besluit.asgi``, in front of the edge and Django); ``ClientAddressMiddleware`` to
Django's ``REMOTE_ADDR`` under WSGI (applying it twice gives the same address).
"""

import ipaddress
from functools import lru_cache

from django.conf import settings
from django.utils.deprecation import MiddlewareMixin

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def _networks(spec: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(item.strip(), strict=False) for item in spec if item.strip())


def trusted_proxies() -> tuple[Network, ...]:
    return _networks(tuple(settings.BESLUIT_TRUSTED_PROXIES))


def _parse(text: str):
    text = text.strip()
    if text.startswith("[") and "]" in text:  # [2001:db8::1]:443
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:  # 192.0.2.1:443
        text = text.split(":")[0]
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def _trusted(address, networks) -> bool:
    return address is not None and any(address in network for network in networks)


def client_address(peer: str | None, forwarded_for: str | None) -> str | None:
    """The client's address given the peer and the X-Forwarded-For header (if any)."""
    networks = trusted_proxies()
    if not networks or not forwarded_for or not _trusted(_parse(peer or ""), networks):
        return peer
    address = peer
    for hop in reversed(forwarded_for.split(",")):
        parsed = _parse(hop)
        if parsed is None:  # not an address: keep the last proxy's word
            break
        address = str(parsed)
        if not _trusted(parsed, networks):
            break
    return address


def request_address(request) -> str | None:
    """The rule for a Django request (also django-axes' AXES_CLIENT_IP_CALLABLE)."""
    return client_address(request.META.get("REMOTE_ADDR"), request.META.get("HTTP_X_FORWARDED_FOR"))


def _header(scope, name: bytes) -> str | None:
    values = [v.decode("latin-1") for k, v in scope.get("headers", ()) if k == name]
    return ",".join(values) if values else None


class ClientAddress:
    """ASGI middleware: the scope's client and scheme as the rule above says."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] in ("http", "websocket") and scope.get("client") and trusted_proxies():
            peer, port = scope["client"][0], scope["client"][1]
            address = client_address(peer, _header(scope, b"x-forwarded-for"))
            scope = dict(scope, client=(address, port))
            proto = (_header(scope, b"x-forwarded-proto") or "").split(",")[-1].strip()
            if _trusted(_parse(peer), trusted_proxies()) and proto in ("http", "https"):
                scheme = proto if scope["type"] == "http" else {"http": "ws", "https": "wss"}[proto]
                scope["scheme"] = scheme
        return await self.app(scope, receive, send)


class ClientAddressMiddleware(MiddlewareMixin):
    """Django middleware: REMOTE_ADDR as the rule says (for WSGI and the test client)."""

    def process_request(self, request):
        if (address := request_address(request)) is not None:
            request.META["REMOTE_ADDR"] = address
