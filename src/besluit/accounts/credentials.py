"""Who sent a request: a Django session or an API token, many at a time (for the edge).

The same rules as Django's own (``django.contrib.auth.get_user`` and the API's
TokenAuth): a session counts only while it has not expired, its user is active
and the session's password hash still matches; a token only while not revoked.
And as the security middleware: a session that still owes its second factor
(logged in with a password, TOTP code not confirmed) is refused, also when the
request carries a token as well (``Credential.session``).
But a batch of ballots looks its senders up with a fixed number of queries.
The edge (edge.auth) calls it from a worker thread: it uses the ORM.
"""

from dataclasses import dataclass
from datetime import timedelta
from importlib import import_module

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.models import Session
from django.db.models import Q
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from besluit.accounts.models import ApiToken, hash_secret
from besluit.audit import services as audit
from besluit.bounded import make_room
from besluit.dbthreads import give_back_connection
from besluit.security.services import SESSION_FLAG


@dataclass(frozen=True)
class Credential:
    kind: str  # "session" or "token"
    secret: str
    # A token's request that also sent a session cookie: that session must not owe
    # its second factor (a header does not lift the obligation).
    session: str | None = None


class SecondFactorOwed:
    """What ``resolve`` gives for a session that has not confirmed its TOTP code."""

    def __repr__(self) -> str:
        return "SECOND_FACTOR_OWED"


SECOND_FACTOR_OWED = SecondFactorOwed()


def resolve(credentials: list[Credential | None]) -> list[int | SecondFactorOwed | None]:
    """The user id behind each credential, None, or SECOND_FACTOR_OWED; a fixed
    number of queries."""
    sessions = {c.secret for c in credentials if c and c.kind == "session"}
    sessions |= {c.session for c in credentials if c and c.session}
    tokens = {c.secret for c in credentials if c and c.kind == "token"}
    by_session = _session_users(sessions)
    by_token = _token_users(tokens)
    result: list[int | SecondFactorOwed | None] = []
    for c in credentials:
        if c is None:
            result.append(None)
        elif c.session and by_session.get(c.session) is SECOND_FACTOR_OWED:
            result.append(SECOND_FACTOR_OWED)
        elif c.kind == "session":
            result.append(by_session.get(c.secret))
        else:
            result.append(by_token.get(c.secret))
    return result


def _session_store():
    return import_module(settings.SESSION_ENGINE).SessionStore


def _session_users(keys: set[str]) -> dict[str, int | SecondFactorOwed]:
    if not keys:
        return {}
    store = _session_store()
    if settings.SESSION_ENGINE == "django.contrib.sessions.backends.db":
        rows = Session.objects.filter(
            session_key__in=keys, expire_date__gt=timezone.now()
        ).values_list("session_key", "session_data")
        decoded = {key: _decoded(store, data) for key, data in rows}
    else:  # another engine: its own load, one key at a time
        decoded = {key: store(session_key=key).load() for key in keys}
    claims = {}
    for key, data in decoded.items():
        try:
            claims[key] = (int(data[SESSION_KEY]), data.get(HASH_SESSION_KEY, ""))
        except (KeyError, TypeError, ValueError):
            continue
        if data.get(BACKEND_SESSION_KEY) not in settings.AUTHENTICATION_BACKENDS:
            del claims[key]
    owing = _owing_second_factor(
        {key: (claims[key][0], decoded[key]) for key in claims if decoded[key].get(SESSION_FLAG)}
    )
    users = {
        u.pk: u
        for u in get_user_model().objects.filter(
            pk__in={uid for uid, _ in claims.values()}, is_active=True
        )
    }
    result = {}
    for key, (uid, claimed_hash) in claims.items():
        user = users.get(uid)
        if user is not None and _hash_matches(user, claimed_hash):
            result[key] = SECOND_FACTOR_OWED if key in owing else uid
    return result


# Per process, pure memos of what a batch of ballots computes for every sender again:
# a session's data as decoded (checked signature and JSON) by its exact stored text,
# and a user's session hash (an HMAC of the password hash) by the password hash. The
# same input gives the same output, so nothing is trusted longer than before: the
# session row and the user are still read for every batch (a logout, an expiry, a
# password change or a deactivation counts at once).
MAX_MEMO = 50_000
_sessions_decoded: dict[str, dict] = {}
_session_hashes: dict[tuple[int, str], str] = {}


def _memo(memo: dict, key, compute):
    found = memo.get(key)
    if found is None:
        found = compute()
        make_room(memo, MAX_MEMO)
        memo[key] = found
    return found


def _decoded(store, data: str) -> dict:
    return _memo(_sessions_decoded, data, lambda: store().decode(data))


def _owing_second_factor(flagged: dict[str, tuple[int, dict]]) -> set[str]:
    """The sessions (of those flagged at login) without a confirmed device of their
    own user, as django-otp's middleware checks it; one query."""
    if not flagged:
        return set()
    claimed = {}  # session key -> (user id, TOTP device id)
    for key, (uid, data) in flagged.items():
        label, _, pk = str(data.get(DEVICE_ID_SESSION_KEY) or "").rpartition("/")
        if label.lower() == "otp_totp.totpdevice" and pk.isdigit():
            claimed[key] = (uid, int(pk))
    devices = set()
    if claimed:
        devices = set(
            TOTPDevice.objects.filter(
                pk__in={pk for _, pk in claimed.values()}, confirmed=True
            ).values_list("pk", "user_id")
        )
    verified = {key for key, (uid, pk) in claimed.items() if (pk, uid) in devices}
    return set(flagged) - verified


def _hash_matches(user, claimed: str) -> bool:
    """As ``get_user``: the session dies with a password change (current or old key)."""
    if not claimed:
        return False
    current = _memo(_session_hashes, (user.pk, user.password), user.get_session_auth_hash)
    if constant_time_compare(claimed, current):
        return True
    return any(constant_time_compare(claimed, h) for h in user.get_session_auth_fallback_hash())


def _token_users(raw_tokens: set[str]) -> dict[str, int]:
    """Tokens that may cast ballots (the edge answers only the ballot route): not
    revoked, not expired, with the ``vote`` scope (as the API's TokenAuth). Each
    token's use is audited, one statement for the batch."""
    if not raw_tokens:
        return {}
    by_hash = {hash_secret(raw): raw for raw in raw_tokens}
    now = timezone.now()
    rows = (
        ApiToken.objects.filter(
            key_hash__in=by_hash,
            revoked_at__isnull=True,
            user__is_active=True,
            user__code_meeting__isnull=True,  # as the API's TokenAuth
        )
        .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))
        .values_list("pk", "key_hash", "user_id", "scopes")
    )
    found = {}
    used = []
    for pk, key_hash, uid, scopes in rows:
        if "vote" in scopes.split():
            found[by_hash[key_hash]] = uid
            used.append((pk, uid))
    if found:
        # As the API's TokenAuth: touched at most once a minute, one statement.
        ApiToken.objects.filter(key_hash__in=[hash_secret(r) for r in found]).filter(
            Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - timedelta(minutes=1))
        ).update(last_used_at=now)
        audit.record_many(
            (
                audit.Event(
                    action="api_token.used",
                    actor_id=uid,
                    object_type="ApiToken",
                    object_id=str(pk),
                    data={"method": "POST", "path": "ballots (edge)"},
                )
                for pk, uid in used
            ),
            at=now,
        )
    return found


def user_behind(credential: Credential | None):
    """The user behind one credential (the whole User), AnonymousUser, or
    SECOND_FACTOR_OWED. For a worker thread of the edge: gives its connection back."""
    try:
        user_id = resolve([credential])[0] if credential else None
        if user_id is SECOND_FACTOR_OWED:
            return user_id
        if user_id is None:
            return AnonymousUser()
        return get_user_model().objects.get(pk=user_id)
    finally:
        give_back_connection()


def users_behind(credentials: list[Credential | None]) -> list[int | SecondFactorOwed | None]:
    """``resolve`` for a batch, from a worker thread of the edge (its connection is kept
    on SQLite, given back on PostgreSQL)."""
    try:
        return resolve(credentials)
    finally:
        give_back_connection(keep_sqlite=True)
