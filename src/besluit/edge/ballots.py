"""POST /api/v1/polls/<id>/ballots and .../sealed-ballots at the edge: the same
contracts as the API's endpoints (api.endpoints.cast_ballot and cast_sealed_ballot,
which document them in the OpenAPI document and serve them when Django runs without
the edge), written in batches.
"""

import json
import logging
import threading
import uuid
from io import BytesIO

from django.core.exceptions import DisallowedHost
from django.core.handlers.asgi import ASGIRequest
from pydantic import BaseModel, ValidationError

from besluit.edge import auth, collector
from besluit.edge.batcher import batcher_for
from besluit.edge.http import host_allowed, read_body, send_json
from besluit.errors import DomainError
from besluit.http import ballots as contract
from besluit.http import problems
from besluit.live.bus import event_data, event_name
from besluit.voting import casting, encrypted

log = logging.getLogger("besluit.edge")

MAX_BODY = 4096
WRITE_LINGER = 0.002  # seconds: a lone ballot waits this long for others (edge.batcher)


def who_sent(_key, credentials: list[auth.Credential]) -> list[int | None]:
    """The first stage, in its own thread: the user behind each credential, for a
    whole batch at once. It runs while the previous batch of ballots is written."""
    return auth.users_behind(credentials)


def write_batch(poll_id: uuid.UUID, requests: list[casting.BallotRequest]) -> list[casting.Outcome]:
    """The second stage, in the writer thread: cast the batch in one transaction."""
    return casting.cast_by_public_id(poll_id, requests)


def warm_on_opening(_meeting_id, item: tuple[int | None, bytes]) -> None:
    """Watches the live messages this process delivers (live.bus.Hub.watch): when a poll
    opens, what its ballots need is read in a thread of its own (voting.casting.warm)
    while the opening still goes out to the streams, so that the first batch, which the
    first burst of ballots waits for, reads none of it."""
    if event_name(item[1]) != "poll-opened":
        return
    try:
        poll_id = uuid.UUID(event_data(item[1])["poll"])
    except (ValueError, KeyError, TypeError):
        log.warning("a poll-opened message without a poll id; nothing warmed")
        return
    threading.Thread(target=_warm, args=(poll_id,), name="besluit-warm", daemon=True).start()


def _warm(poll_id: uuid.UUID) -> None:
    try:
        casting.warm(poll_id)
    except Exception:  # only a head start: the first batch reads it itself
        log.exception("reading an opened poll ahead of its ballots failed")


def problem(status: int, detail: str, code: str) -> tuple[int, dict]:
    return status, problems.status_body(status, detail, code=code)


async def cast(scope, receive, send, poll_text: str) -> None:
    await _answer(send, *await _cast(scope, receive, poll_text))


async def _answer(send, status: int, body: dict | bytes) -> None:
    content_type = "application/json" if status < 400 else "application/problem+json"
    await send_json(send, status, body, content_type=content_type)


async def _cast(scope, receive, poll_text: str) -> tuple[int, dict | bytes]:
    collector.ballot_arrived()
    try:
        poll_id = uuid.UUID(poll_text)
    except ValueError:
        return problem(404, "No such poll.", "not-found")
    raw = await read_body(receive, MAX_BODY)
    if raw is None:
        return problem(413, f"A ballot is at most {MAX_BODY} bytes.", "too_large")
    sent = await _sender(scope, raw, contract.BallotIn)
    if len(sent) == 2 and isinstance(sent[0], int) and not isinstance(sent[1], BaseModel):
        return sent
    user_id, ballot = sent
    request = casting.BallotRequest(
        user_id,
        ballot.option,
        ballot.request_key,
        (scope.get("client") or [None])[0],
        for_member=ballot.member,
    )
    outcome = await batcher_for(write_batch, linger=WRITE_LINGER).submit(poll_id, request)
    if isinstance(outcome, DomainError):
        return outcome.status, problems.domain_error_body(outcome)
    # Serialised by pydantic in one step (the receipt with its proof is most of the bytes).
    body = contract.ReceiptOut.of(outcome).model_dump_json(by_alias=True).encode()
    return (200 if outcome.replayed else 201), body


def _body(schema, raw: bytes):
    """The request body read by ``schema``, or the problem (status, body) to answer."""
    try:
        return schema.model_validate(json.loads(raw or b"null"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        reason = exc.msg if isinstance(exc, json.JSONDecodeError) else "not UTF-8"
        return problem(400, f"The body is not JSON: {reason}.", "invalid")
    except RecursionError:  # brackets nested a thousand deep: the client's fault, no trace
        return problem(400, "The body is not JSON: nested too deeply.", "invalid")
    except ValidationError as exc:
        return 400, problems.invalid_body(exc.errors())


def _credential(scope, raw: bytes):
    """The request's credential (a token's, or a session's with its CSRF check), or the
    problem (status, body) to answer. No database: the look-up is a stage's
    (``who_sent``, ``sealed_first_stage``)."""
    http = ASGIRequest(scope, BytesIO(raw))
    if not host_allowed(http):
        return problem(400, "This host name is not served here.", "bad_host")
    authorization = http.headers.get("Authorization", "")
    if authorization[:7].lower() == "bearer ":
        session = auth.session_credential(http.COOKIES)
        credential = auth.Credential(
            "token", authorization[7:].strip(), session=session.secret if session else None
        )
    else:
        credential = auth.session_credential(http.COOKIES)
        if credential is not None:
            try:
                auth.check_csrf(http)
            except auth.CsrfRejected as exc:
                return problem(403, f"CSRF check failed: {exc}", "csrf")
            except DisallowedHost:
                return problem(400, "This host name is not served here.", "bad_host")
    if credential is None:
        return problem(401, problems.UNAUTHENTICATED, "unauthenticated")
    return credential


def _not_a_sender(user_id) -> tuple | None:
    """The problem to answer for what a stage found behind a credential, or None."""
    if isinstance(user_id, DomainError):  # the look-up failed (the database is away)
        return user_id.status, problems.domain_error_body(user_id)
    if user_id is auth.SECOND_FACTOR_OWED:
        return problem(403, problems.SECOND_FACTOR_REQUIRED, "second-factor-required")
    if user_id is None:
        return problem(401, problems.UNAUTHENTICATED, "unauthenticated")
    return None


async def _sender(scope, raw: bytes, schema) -> tuple:
    """(the user who sends the request, its body read by ``schema``), or the problem
    (status, body) to answer; the look-up runs in the first stage's thread
    (``who_sent``)."""
    credential = _credential(scope, raw)
    if isinstance(credential, tuple):
        return credential
    body = _body(schema, raw)
    if isinstance(body, tuple):
        return body
    user_id = await batcher_for(who_sent).submit(None, credential)
    return _not_a_sender(user_id) or (user_id, body)


# --- sealed (encrypted) ballots of a secret poll: the same stages, their own writer ---------

SEALED_MAX_BODY = 70 * 1024  # the schema allows 64 KiB of hex


def write_sealed_batch(poll_id: uuid.UUID, requests: list) -> list:
    """The writer thread for sealed ballots: one transaction for the batch
    (voting.encrypted). The proofs arrive checked (``sealed_first_stage``); the writer checks again
    any ballot whose check does not match the binding it computes itself."""
    return encrypted.cast_sealed_by_public_id(poll_id, requests)


def sealed_first_stage(poll_id: uuid.UUID, items: list) -> list:
    """The first stage of sealed ballots, a batch at once in its own thread: who sent
    each (as ``who_sent``), what its proofs are checked against (the member its binding
    must name, the election key, the options: ``encrypted.proof_contexts``) and the check
    itself (``encrypted.prove``: the compiled combinations, which run without the GIL,
    while the writer thread writes the previous batch). One hop and one look-up of the
    senders and their members per batch.

    ``items``: (credential, member code asked for, request key, ballot bytes); per item
    (user id or what ``_not_a_sender`` answers, ``Proven`` or None). None: the writer
    checks the proofs itself and refuses what fails (or what it refuses anyway)."""
    users = auth.users_behind([credential for credential, *_ in items])
    senders = [
        (user, member)
        for user, (_c, member, _k, _d) in zip(users, items, strict=True)
        if _is_user(user)
    ]
    contexts = iter(encrypted.proof_contexts(poll_id, senders) if senders else ())
    out = []
    for user, (_c, _member, request_key, data) in zip(users, items, strict=True):
        context = next(contexts) if _is_user(user) else None
        proven = None
        if context is not None and data:
            try:
                proven = encrypted.prove(poll_id, context, request_key, data)
            except Exception:  # one ballot's surprise must not fail the others' batch
                log.exception("checking a sealed ballot's proofs failed; the writer checks it")
        out.append((user, proven))
    return out


def _is_user(user) -> bool:
    return isinstance(user, int) and not isinstance(user, bool)


async def cast_sealed(scope, receive, send, poll_text: str) -> None:
    await _answer(send, *await _cast_sealed(scope, receive, poll_text))


async def _cast_sealed(scope, receive, poll_text: str) -> tuple[int, dict | bytes]:
    collector.ballot_arrived()
    try:
        poll_id = uuid.UUID(poll_text)
    except ValueError:
        return problem(404, "No such poll.", "not-found")
    raw = await read_body(receive, SEALED_MAX_BODY)
    if raw is None:
        return problem(413, f"A ballot is at most {SEALED_MAX_BODY} bytes.", "too_large")
    credential = _credential(scope, raw)
    if isinstance(credential, tuple):
        return credential
    ballot = _body(contract.SealedBallotIn, raw)
    if isinstance(ballot, tuple):
        return ballot
    data = bytes.fromhex(ballot.ballot) if len(ballot.ballot) % 2 == 0 else b""
    # The same linger as the writer's: a first stage of a few ballots waits 2 ms for
    # company, so fewer, larger batches pay the look-ups and transactions
    # (docs/benchmarks.md).
    found = await batcher_for(sealed_first_stage, linger=WRITE_LINGER).submit(
        poll_id, (credential, ballot.member, ballot.request_key, data)
    )
    if isinstance(found, DomainError):  # the stage failed (the database is away)
        return found.status, problems.domain_error_body(found)
    user_id, proven = found
    if refused := _not_a_sender(user_id):
        return refused
    request = encrypted.SealedRequest(
        user_id=user_id,
        ballot=data,
        request_key=ballot.request_key,
        ip=(scope.get("client") or [None])[0],
        for_member=ballot.member,
        # the same bytes, checked for the binding the writer will compute (or None)
        proven=proven,
    )
    outcome = await batcher_for(write_sealed_batch, linger=WRITE_LINGER).submit(poll_id, request)
    if isinstance(outcome, DomainError):
        return outcome.status, problems.domain_error_body(outcome)
    body = contract.SealedReceiptOut(
        poll_id=outcome.poll_id,
        tracker=outcome.tracker,
        voter=outcome.voter,
        replayed=outcome.replayed,
        log_receipt=outcome.log_receipt,
    ).model_dump_json(by_alias=True)
    return (200 if outcome.replayed else 201), body.encode()
