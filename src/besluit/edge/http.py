"""The little HTTP the edge needs: read a bounded body, send JSON, stream events."""

import json

from django.core.exceptions import DisallowedHost

from besluit import __version__

# What Django's security middleware and django-csp add to every response; a JSON
# answer and an event stream need no more than this.
SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"x-frame-options", b"DENY"),
    (b"content-security-policy", b"default-src 'none'; frame-ancestors 'none'"),
]


def host_allowed(request) -> bool:
    """Django's own rule (``HttpRequest.get_host``: ALLOWED_HOSTS, with DEBUG's local
    names), which Django's middleware applies to every other route: 400 otherwise."""
    try:
        request.get_host()
    except DisallowedHost:
        return False
    return True


async def read_body(receive, limit: int) -> bytes | None:
    """The request body, or None when it is longer than ``limit``."""
    chunks, size = [], 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return b"".join(chunks)
        body = message.get("body", b"")
        size += len(body)
        if size > limit:
            return None
        chunks.append(body)
        if not message.get("more_body", False):
            return b"".join(chunks)


async def send_json(send, status: int, body: dict | bytes, *, content_type: str) -> None:
    """``body``: a dict, or JSON already serialised."""
    data = body if isinstance(body, bytes) else json.dumps(body, separators=(",", ":")).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", content_type.encode()),
                (b"content-length", str(len(data)).encode()),
                (b"cache-control", b"no-store"),
                (b"vary", b"Authorization, Cookie"),
                (b"api-version", __version__.encode()),
                *SECURITY_HEADERS,
            ],
        }
    )
    await send({"type": "http.response.body", "body": data})
