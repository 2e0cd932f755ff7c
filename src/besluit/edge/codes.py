"""POST /stemcode/ at the edge: logging in with a voting code, without Django's request cycle.

At the start of a general meeting a few hundred to a few thousand representatives log
in with their code within minutes; through Django each login cost about 15 ms of CPU
(middleware, session, CSRF, template), almost none of it the code's lookup. Here the
common case is served with the same rules and the same code (accounts.codes):

- the host (ALLOWED_HOSTS) and Django's own CSRF check (edge.auth);
- the throttle of wrong codes, per address and for the code space, read before any
  lookup (a throttled address is not looked up);
- the code's lookup (valid, not revoked or replaced, its meeting not closed, the
  second factor its account owes), then, in one transaction, the session (a new key,
  the data of an anonymous session kept), the code's last use and the audit event;
  the logins that arrive together are done together (edge.batcher and
  accounts.code_logins: a fixed number of statements per batch);
- the answer Django's view gives: 302 to the meeting's live page, with the session
  cookie and a new CSRF cookie (the token rotates at a login, as Django's does).

Anything else goes to Django's view (live.views.code_login) with the body as read:
a wrong, revoked or replaced code and a closed meeting (its Dutch form error, and the
failure counted there, once), a throttled address (its 429 page), a failed CSRF check
(Django's 403 page), a browser with a logged-in session or one that owes its second
factor, a body that is not a plain form. So the edge only ever answers a success.
"""

import time
from collections.abc import Awaitable, Callable
from io import BytesIO

from django.conf import settings
from django.core.handlers.asgi import ASGIRequest
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.http import http_date

from besluit.accounts.code_logins import CodeLogin, LoggedIn, do_code_logins
from besluit.dbthreads import give_back_connection
from besluit.edge import auth, collector
from besluit.edge.batcher import batcher_for
from besluit.edge.http import SECURITY_HEADERS, host_allowed
from besluit.errors import DomainError

FORM = b"application/x-www-form-urlencoded"
MAX_BODY = 4096

App = Callable[[dict, Callable, Callable], Awaitable[None]]


def _header(scope, name: bytes) -> bytes:
    for key, value in scope["headers"]:
        if key == name:
            return value
    return b""


def log_in(_key, requests: list[CodeLogin]) -> list[LoggedIn | None]:
    """In the batch's thread: the logins that arrived together, in one transaction
    (accounts.code_logins)."""
    try:
        return do_code_logins(requests)
    finally:
        give_back_connection(keep_sqlite=True)


def _answer(request, done: LoggedIn) -> tuple[int, list[tuple[bytes, bytes]]]:
    response = HttpResponseRedirect(
        reverse("live:participant", args=[done.association_slug, done.meeting_id])
    )
    # The session cookie as django.contrib.sessions' middleware sets it.
    response.set_cookie(
        settings.SESSION_COOKIE_NAME,
        done.session_key,
        max_age=done.max_age,
        expires=http_date(time.time() + done.max_age),
        domain=settings.SESSION_COOKIE_DOMAIN,
        path=settings.SESSION_COOKIE_PATH,
        secure=settings.SESSION_COOKIE_SECURE or None,
        httponly=settings.SESSION_COOKIE_HTTPONLY or None,
        samesite=settings.SESSION_COOKIE_SAMESITE,
    )
    auth.rotate_csrf(request, response)  # a new CSRF cookie, as at every login
    response["Vary"] = "Cookie"
    response["Cache-Control"] = "no-store"
    headers = [(k.encode("ascii"), v.encode("latin-1")) for k, v in response.items()]
    headers += [
        (b"set-cookie", c.output(header="").encode("ascii").strip())
        for c in response.cookies.values()
    ]
    return response.status_code, headers + SECURITY_HEADERS


async def _read(receive, limit: int) -> tuple[list[dict], bool]:
    """The request's messages up to its body's end, or until the body passes ``limit``
    (then False: not a form this page sends)."""
    messages, size = [], 0
    while True:
        message = await receive()
        messages.append(message)
        if message["type"] != "http.request":
            return messages, False
        size += len(message.get("body", b""))
        if size > limit:
            return messages, False
        if not message.get("more_body", False):
            return messages, True


async def login(scope, receive, send, django: App) -> None:
    collector.ensure_running()
    messages, whole = await _read(receive, MAX_BODY)
    pending = list(messages)

    async def again():
        """What was read, as it came; then the client's own messages."""
        return pending.pop(0) if pending else await receive()

    if not whole:  # Django's view, with every byte the client sent
        return await django(scope, again, send)
    raw = b"".join(m.get("body", b"") for m in messages)
    handed = await _try(scope, raw)
    if handed is None:
        return await django(scope, again, send)
    status, headers = handed
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": b""})


async def _try(scope, raw: bytes):
    """The success answer, or None: Django's view answers."""
    if not _header(scope, b"content-type").lower().startswith(FORM):
        return None
    request = ASGIRequest(scope, BytesIO(raw))
    if not host_allowed(request):
        return None
    if settings.SECURE_SSL_REDIRECT and not request.is_secure():
        return None  # Django's security middleware redirects to https first
    try:
        auth.check_csrf(request)
    except Exception:  # CsrfRejected, a bad host in the Origin check: Django's 403 page
        return None
    login = CodeLogin(
        code=request.POST.get("code", ""),
        address=request.META.get("REMOTE_ADDR") or "",
        session_key=request.COOKIES.get(settings.SESSION_COOKIE_NAME) or None,
    )
    done = await batcher_for(log_in).submit(None, login)
    if done is None or isinstance(done, DomainError):  # not ours, or the database is away
        return None
    return _answer(request, done)
