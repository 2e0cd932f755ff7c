"""POST /api/v1/polls/<id>/ballots at the edge: the same contract as the API's
endpoint (api.endpoints.cast_ballot, which documents it in the OpenAPI document
and serves it when Django runs without the edge), written in batches.
"""

import json
import uuid
from io import BytesIO

from django.core.exceptions import DisallowedHost
from django.core.handlers.asgi import ASGIRequest
from django.db import connection
from pydantic import ValidationError

from besluit.api import schemas
from besluit.api.problems import TITLES
from besluit.edge import auth, collector
from besluit.edge.batcher import batcher_for
from besluit.edge.http import read_body, send_json
from besluit.errors import DomainError, NotFound
from besluit.voting import casting
from besluit.voting.models import Poll

MAX_BODY = 4096
WRITE_LINGER = 0.002  # seconds: a lone ballot waits this long for others (edge.batcher)
UNAUTHENTICATED = "Log in, or send a valid token as 'Authorization: Bearer ...'."


class _Item:
    __slots__ = ("ip", "option_key", "request_key", "user_id")

    def __init__(self, user_id, option_key, request_key, ip) -> None:
        self.user_id = user_id
        self.option_key = option_key
        self.request_key = request_key
        self.ip = ip


def who_sent(_key, credentials: list[auth.Credential]) -> list[int | None]:
    """The first stage, in its own thread: the user behind each credential, for a
    whole batch at once. It runs while the previous batch of ballots is written."""
    try:
        return auth.resolve(credentials)
    finally:
        _give_back_connection()


# Public poll id -> primary key: never changes, so each process looks it up once.
_poll_pks: dict[uuid.UUID, int] = {}


def write_batch(poll_id: uuid.UUID, items: list[_Item]) -> list[casting.Outcome]:
    """The second stage, in the writer thread: cast the batch in one transaction."""
    try:
        poll_pk = _poll_pks.get(poll_id)
        if poll_pk is None:
            poll_pk = Poll.objects.filter(public_id=poll_id).values_list("pk", flat=True).first()
            if poll_pk is None:
                return [NotFound("No such poll.")] * len(items)
            if len(_poll_pks) > 10_000:
                _poll_pks.clear()
            _poll_pks[poll_id] = poll_pk
        requests = [
            casting.BallotRequest(i.user_id, i.option_key, i.request_key, i.ip) for i in items
        ]
        try:
            return casting.cast_batch(poll_pk, requests)
        except Poll.DoesNotExist:  # a draft poll deleted since
            _poll_pks.pop(poll_id, None)
            return [NotFound("No such poll.")] * len(items)
    finally:
        _give_back_connection()


def _give_back_connection() -> None:
    # PostgreSQL: give the connection back to the pool between batches (a restarted
    # server then costs one failed batch, not a dead thread). SQLite: keep the file
    # open; reopening it (and its pragmas) per batch would cost more than the batch.
    # Never inside a transaction someone else owns (a test's).
    if connection.vendor != "sqlite" and not connection.in_atomic_block:
        connection.close()


def problem(status: int, detail: str, code: str, errors=None) -> tuple[int, dict]:
    body = {
        "type": f"https://besluit.example/problems/{code}",
        "title": TITLES.get(status, "Error"),
        "status": status,
        "detail": detail,
    }
    if errors:
        body["invalidParams"] = errors
    return status, body


async def cast(scope, receive, send, poll_text: str) -> None:
    status, body = await _cast(scope, receive, poll_text)
    await send_json(
        send,
        status,
        body,
        content_type="application/json" if status < 400 else "application/problem+json",
    )


async def _cast(scope, receive, poll_text: str) -> tuple[int, dict]:
    collector.ballot_arrived()
    try:
        poll_id = uuid.UUID(poll_text)
    except ValueError:
        return problem(404, "No such poll.", "not_found")
    raw = await read_body(receive, MAX_BODY)
    if raw is None:
        return problem(413, f"A ballot is at most {MAX_BODY} bytes.", "too_large")
    request = ASGIRequest(scope, BytesIO(raw))
    credential = None
    authorization = request.headers.get("Authorization", "")
    if authorization[:7].lower() == "bearer ":
        credential = auth.Credential("token", authorization[7:].strip())
    else:
        credential = auth.session_credential(request.COOKIES)
        if credential is not None:
            try:
                auth.check_csrf(request)
            except auth.CsrfRejected as exc:
                return problem(403, f"CSRF check failed: {exc}", "csrf")
            except DisallowedHost:
                return problem(400, "This host name is not served here.", "bad_host")
    if credential is None:
        return problem(401, UNAUTHENTICATED, "unauthenticated")
    try:
        ballot = schemas.BallotIn.model_validate(json.loads(raw or b"null"))
    except json.JSONDecodeError as exc:
        return problem(400, f"The body is not JSON: {exc.msg}.", "invalid")
    except ValidationError as exc:
        errors = [
            {"name": ".".join(str(p) for p in e["loc"]) or "body", "reason": e["msg"]}
            for e in exc.errors()
        ]
        detail = "; ".join(f"{e['name']}: {e['reason']}" for e in errors)
        return problem(400, detail, "invalid", errors)
    user_id = await batcher_for(who_sent).submit(None, credential)
    if user_id is None:
        return problem(401, UNAUTHENTICATED, "unauthenticated")
    ip = (scope.get("client") or [None])[0]
    item = _Item(user_id, ballot.option, ballot.request_key, ip)
    outcome = await batcher_for(write_batch, linger=WRITE_LINGER).submit(poll_id, item)
    if isinstance(outcome, DomainError):
        errors = [{"name": outcome.field, "reason": outcome.message}] if outcome.field else None
        return problem(outcome.status, outcome.message, outcome.code, errors)
    body = schemas.ReceiptOut.of(outcome).model_dump(by_alias=True, mode="json")
    return (200 if outcome.replayed else 201), body
