"""Logging in with voting codes in batches, outside Django's request cycle (the edge).

besluit.edge serves POST /stemcode/ for the common case: a valid code, an address that
is not throttled, and a browser without a logged-in session. The logins that arrive
together are done together, as ballots are (edge.batcher): one read of the browsers'
sessions, one read of the codes, and one transaction that marks the codes used, writes
the audit events and inserts the sessions, whatever the batch's size. Each login gets
exactly what accounts.codes.do_code_login and Django's session middleware give it (the
same ``fill_session``): a new session key, an anonymous session's data kept and its
old row deleted, the second-factor flag, the fixed end of a meeting day.

Everything else (a wrong, revoked or replaced code, a closed meeting, a throttled
address, a browser with a logged-in session or one that owes its second factor) gets
None here, writes nothing and counts nothing: the edge hands that request to Django's
view (live.views.code_login), which answers it and counts a wrong code, once.
"""

from dataclasses import dataclass
from importlib import import_module

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends.base import VALID_KEY_CHARS
from django.contrib.sessions.models import Session
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.crypto import get_random_string

from besluit.accounts.codes import fill_session, mark_used, normalise, valid_codes
from besluit.accounts.models import VotingCode, hash_secret
from besluit.audit.services import Event, record_many
from besluit.meetings.models import Meeting
from besluit.security import throttle
from besluit.security.services import SESSION_FLAG

DB_SESSIONS = "django.contrib.sessions.backends.db"


@dataclass(frozen=True)
class CodeLogin:
    code: str
    address: str  # the client's address ("" when unknown)
    session_key: str | None = None  # the browser's session cookie


@dataclass(frozen=True)
class LoggedIn:
    session_key: str
    max_age: int  # seconds: the session's fixed end
    association_slug: str
    meeting_id: int


def do_code_logins(requests: list[CodeLogin]) -> list[LoggedIn | None]:
    """One outcome per request, in order: the new session, or None (Django's view must
    answer). A fixed number of statements per batch."""
    if settings.SESSION_ENGINE != DB_SESSIONS:
        return [_one_by_one(r) for r in requests]
    store_class = import_module(DB_SESSIONS).SessionStore
    now = timezone.now()
    # The browsers' sessions (unexpired, as Django's session store reads them).
    keys = {r.session_key for r in requests if r.session_key}
    sessions = (
        {
            row.session_key: store_class().decode(row.session_data)
            for row in Session.objects.filter(session_key__in=keys, expire_date__gt=now)
        }
        if keys
        else {}
    )
    # The throttles, before any code is looked up; from the cache, once per address.
    space_locked = bool(throttle.CODE_SPACE.locked(throttle.CODE_SPACE_KEY))
    locked = {
        a: bool(throttle.CODE_ADDRESS.locked(a or "-")) for a in {r.address for r in requests}
    }
    hashes = {r: hash_secret(normalise(r.code)) for r in requests}
    wanted = {hashes[r] for r in requests if not space_locked and not locked[r.address]}
    found = {c.code_hash: c for c in valid_codes().filter(code_hash__in=wanted)} if wanted else {}

    outcomes: list[LoggedIn | None] = []
    stores, used, replaced = [], [], set()
    for request in requests:
        code = found.get(hashes[request])
        old = sessions.get(request.session_key, {}) if request.session_key else {}
        if (
            code is None
            or code.meeting.status == Meeting.Status.CLOSED
            or old.get(SESSION_KEY)
            or old.get(SESSION_FLAG)
        ):
            outcomes.append(None)
            continue
        store = store_class()
        store._session_cache = dict(old)  # an anonymous session's data is kept
        fill_session(store, code)
        store._session_key = get_random_string(32, VALID_KEY_CHARS)
        if request.session_key in sessions:
            replaced.add(request.session_key)  # its row goes: a new key, no fixation
        stores.append(store)
        used.append((code, request.address))
        meeting = code.meeting
        outcomes.append(
            LoggedIn(
                store.session_key, store.get_expiry_age(), meeting.association.slug, meeting.pk
            )
        )
    if not stores:
        return outcomes
    try:
        with transaction.atomic():
            _write(stores, used, replaced, now)
    except IntegrityError:
        # Two random 32-character keys met (or a row appeared meanwhile): do these
        # one by one, each with Django's own check of its new key.
        return [_one_by_one(r) for r in requests]
    return outcomes


def _write(stores, used, replaced: set[str], now) -> None:
    VotingCode.objects.filter(pk__in=[code.pk for code, _ in used]).update(last_used_at=now)
    record_many(
        (
            Event(
                "voting_code.login",
                object_type="VotingCode",
                object_id=str(code.pk),
                actor_id=code.user_id,
                association_id=code.meeting.association_id,
                ip=address or None,
                data={"member": code.member.code},
            )
            for code, address in used
        ),
        at=now,
    )
    if replaced:
        Session.objects.filter(session_key__in=replaced).delete()
    Session.objects.bulk_create(
        store.create_model_instance(store._get_session(no_load=True)) for store in stores
    )


def _one_by_one(request: CodeLogin) -> LoggedIn | None:
    """The same for one request with the configured session engine (its own save)."""
    store = import_module(settings.SESSION_ENGINE).SessionStore(request.session_key)
    if request.session_key and (store.get(SESSION_KEY) or store.get(SESSION_FLAG)):
        return None
    if throttle.CODE_ADDRESS.locked(request.address or "-") or throttle.CODE_SPACE.locked(
        throttle.CODE_SPACE_KEY
    ):
        return None
    code = valid_codes().filter(code_hash=hash_secret(normalise(request.code))).first()
    if code is None or code.meeting.status == Meeting.Status.CLOSED:
        return None
    with transaction.atomic():
        fill_session(store, code)
        mark_used(code, request.address or None)
        store.save()
    return _logged_in(store, code)


def _logged_in(store, code: VotingCode) -> LoggedIn:
    meeting = code.meeting
    return LoggedIn(store.session_key, store.get_expiry_age(), meeting.association.slug, meeting.pk)
