"""Request bodies over a configured size are refused before they are read.

Django reads the whole body of a request (into memory, then a temporary file) before
any view or middleware can look at it, so an anonymous 1 GiB POST to the login page
used to cost a gigabyte of disk before its 400. ``BodyLimit`` wraps the ASGI
application (``besluit.asgi``: the edge and Django): a ``Content-Length`` over the
limit gets 413 at once; a body without one (chunked) is counted as it arrives and
refused with 413 as soon as it passes the limit. ``BodyLimitMiddleware`` does the
``Content-Length`` check for Django under WSGI (and the test client).

The limit: ``BESLUIT_MAX_BODY_BYTES`` for every route, ``BESLUIT_MAX_UPLOAD_BYTES`` for
the routes that take file uploads (``UPLOAD_ROUTES``, by URL name). The 413 is
problem+json under ``/api/``, a short translated page elsewhere.
"""

import json
from io import BytesIO

from django.conf import settings
from django.core.handlers.asgi import ASGIRequest
from django.http import HttpResponse
from django.template.defaultfilters import filesizeformat
from django.urls import Resolver404, resolve
from django.utils import translation
from django.utils.deprecation import MiddlewareMixin
from django.utils.html import escape
from django.utils.translation import gettext as _

from besluit.http import problems
from besluit.languages import request_language

# The views that accept files (multipart forms), by URL name.
UPLOAD_ROUTES = frozenset(
    {
        "web:members_import",
        "web:agenda_item",
        "letters:attachment_add",
        "accountability:commitment_update",
    }
)


def limit_for(path: str) -> int:
    default = settings.BESLUIT_MAX_BODY_BYTES
    try:
        name = resolve(path).view_name
    except Resolver404:
        return default
    return max(default, settings.BESLUIT_MAX_UPLOAD_BYTES) if name in UPLOAD_ROUTES else default


def _detail(limit: int) -> str:
    return _("This request is larger than %(size)s; it was not read.") % {
        "size": filesizeformat(limit)
    }


def too_large(path: str, language: str, limit: int) -> tuple[str, bytes]:
    """The content type and body of the 413 answer."""
    if path.startswith("/api/"):
        body = problems.status_body(
            413, f"The request body is larger than {limit} bytes.", code="too-large"
        )
        return "application/problem+json", json.dumps(body).encode()
    with translation.override(language):
        title, detail = _("Request too large"), _detail(limit)
    page = (
        f'<!DOCTYPE html><html lang="{language}"><meta charset="utf-8">'
        f"<title>{escape(title)}</title><h1>{escape(title)}</h1><p>{escape(detail)}</p></html>"
    )
    return "text/html; charset=utf-8", page.encode()


def _content_length(scope) -> int | None:
    for key, value in scope["headers"]:
        if key == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


class BodyLimit:
    """ASGI middleware: see the module's docstring."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        default = settings.BESLUIT_MAX_BODY_BYTES
        path = scope["path"]
        declared = _content_length(scope)
        limit = None  # resolved only for a body that may pass the default limit
        if declared is not None and declared > default:
            limit = limit_for(path)
            if declared > limit:
                return await self._refuse(scope, send, limit)
        received = 0
        over = False
        started = False

        async def counting_receive():
            nonlocal received, over, limit
            if over:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > default:
                    limit = limit if limit is not None else limit_for(path)
                    if received > limit:
                        # Tell the application the client went away: Django then drops
                        # what it has read (and its temporary file) and answers nothing.
                        over = True
                        return {"type": "http.disconnect"}
            return message

        async def tracking_send(message):
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        await self.app(scope, counting_receive, tracking_send)
        if over and not started:
            await self._refuse(scope, send, limit)

    async def _refuse(self, scope, send, limit: int) -> None:
        request = ASGIRequest(scope, BytesIO())
        language = request_language(request)
        content_type, body = too_large(scope["path"], language, limit)
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", content_type.encode()),
                    (b"content-length", str(len(body)).encode()),
                    (b"connection", b"close"),
                    (b"x-content-type-options", b"nosniff"),
                    (b"content-security-policy", b"default-src 'none'"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


class BodyLimitMiddleware(MiddlewareMixin):
    """Django middleware: the ``Content-Length`` check under WSGI, where Django reads
    the body only when a view asks for it. (Under ASGI, BodyLimit came first.)"""

    def process_request(self, request):
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            declared = 0
        if declared > settings.BESLUIT_MAX_BODY_BYTES:
            limit = limit_for(request.path_info)
            if declared > limit:
                content_type, body = too_large(request.path_info, request_language(request), limit)
                return HttpResponse(body, status=413, content_type=content_type)
        return None
