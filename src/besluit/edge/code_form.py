"""GET /stemcode/ at the edge: the voting-code form, rendered by Django once and kept.

Before each login (edge.codes) a phone fetches this form for its CSRF cookie and token.
For a browser that brings no cookie but (perhaps) its CSRF cookie and asks without a
query string, the page is the same for everyone but its CSRF tokens: Django's view
renders it (with a CSRF secret of ours), the edge keeps it for ``KEEP_SECONDS`` per
host and scheme, and answers from it with fresh tokens. The tokens come from Django's
own CSRF code (``get_token``: the browser's secret if it has a valid one, else a new
one, masked anew for every place on the page; the cookie set as Django's middleware
sets it), and the headers are Django's response's. Everything else (a query string,
the code to fill in; a session or language cookie; an answer of Django's that is not
a plain 200 page) is Django's view's, as before.
"""

import asyncio
import re
import time
from collections.abc import Awaitable, Callable
from io import BytesIO

from django.conf import settings
from django.core.handlers.asgi import ASGIRequest
from django.http import HttpResponse
from django.middleware.csrf import (
    CSRF_SECRET_LENGTH,
    _get_new_csrf_string,
    _unmask_cipher_token,
    get_token,
)

from besluit.edge import auth

KEEP_SECONDS = 10.0  # the page follows a change (of a template, a setting) within this
MAX_HOSTS = 64
TOKEN = re.compile(rb"\b[A-Za-z0-9]{%d}\b" % (2 * CSRF_SECRET_LENGTH))

App = Callable[[dict, Callable, Callable], Awaitable[None]]
# (host, scheme) -> (until, status, headers without cookies, the page split at its tokens)
_kept: dict[tuple[bytes, str], tuple[float, int, list, list[bytes]]] = {}


def _cookies(scope) -> list[bytes]:
    return [v for k, v in scope["headers"] if k == b"cookie"]


def _only_csrf_cookie(scope) -> bool:
    names = set()
    for value in _cookies(scope):
        for part in value.split(b";"):
            name = part.split(b"=", 1)[0].strip()
            if name:
                names.add(name)
    return names <= {settings.CSRF_COOKIE_NAME.encode()}


def _host(scope) -> bytes:
    return next((v for k, v in scope["headers"] if k == b"host"), b"")


async def _render(scope, django: App) -> tuple[int, list, list[bytes]] | None:
    """Django's answer for a browser with a CSRF secret of ours, split at its tokens;
    None when it is not a plain page to keep."""
    secret = _get_new_csrf_string()
    headers = [(k, v) for k, v in scope["headers"] if k != b"cookie"]
    headers.append((b"cookie", f"{settings.CSRF_COOKIE_NAME}={secret}".encode()))
    sent: list[dict] = []
    asked = False

    async def receive():
        nonlocal asked
        if not asked:
            asked = True
            return {"type": "http.request", "body": b"", "more_body": False}
        await asyncio.get_running_loop().create_future()  # no disconnect: Django ends it

    async def send(message):
        sent.append(message)

    await django({**scope, "headers": headers}, receive, send)
    start = next((m for m in sent if m["type"] == "http.response.start"), None)
    if start is None or start["status"] != 200:
        return None
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    kept, cookies = [], 0
    for name, value in start.get("headers", []):
        if name.lower() == b"set-cookie":
            if not value.startswith(settings.CSRF_COOKIE_NAME.encode() + b"="):
                return None  # a page that sets another cookie is not everyone's
            cookies += 1
        elif name.lower() != b"content-length":
            kept.append((name, value))
    parts, last = [], 0
    for match in TOKEN.finditer(body):
        if _unmask_cipher_token(match[0].decode()) == secret:
            parts.append(body[last : match.start()])
            last = match.end()
    parts.append(body[last:])
    if len(parts) < 2 or cookies != 1:
        return None
    return start["status"], kept, parts


async def form(scope, receive, send, django: App) -> None:
    if scope.get("query_string") or not _only_csrf_cookie(scope):
        return await django(scope, receive, send)
    key = (_host(scope), scope.get("scheme", "http"))
    page = _kept.get(key)
    if page is None or page[0] < time.monotonic():
        rendered = await _render(scope, django)
        if rendered is None:
            _kept.pop(key, None)
            return await django(scope, receive, send)
        page = (time.monotonic() + KEEP_SECONDS, *rendered)
        if len(_kept) >= MAX_HOSTS:  # ALLOWED_HOSTS = ["*"] must not let it grow
            _kept.clear()
        _kept[key] = page
    _until, status, headers, parts = page
    request = ASGIRequest(scope, BytesIO(b""))
    # Django's CSRF middleware and template tag: the browser's secret if valid, else a
    # new one; a fresh mask for each token; the cookie (renewed) on the answer.
    auth.read_csrf_cookie(request)
    tokens = [get_token(request).encode() for _ in parts[1:]]
    body = parts[0] + b"".join(t + p for t, p in zip(tokens, parts[1:], strict=True))
    response = HttpResponse()
    auth.set_csrf_cookie(request, response)
    out = [*headers, (b"content-length", str(len(body)).encode())]
    out += [
        (b"set-cookie", c.output(header="").encode("ascii").strip())
        for c in response.cookies.values()
    ]
    await send({"type": "http.response.start", "status": status, "headers": out})
    await send({"type": "http.response.body", "body": body})
