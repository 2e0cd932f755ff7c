"""Voting codes: issue, revoke, and log in with one."""

import base64
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.models import Session
from django.db import transaction
from django.db.models import BooleanField, Exists, ExpressionWrapper, F, OuterRef, Q
from django.middleware.csrf import rotate_token
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from besluit import access
from besluit.accounts.models import CODE_USERNAME_PREFIX, User, VotingCode, hash_secret
from besluit.associations.models import Member, Role
from besluit.audit.services import record, record_refusal
from besluit.errors import DomainError, PermissionDenied, ValidationFailed
from besluit.meetings.models import Meeting
from besluit.security import services as second_factor
from besluit.security import throttle
from besluit.security.models import SecurityPolicy

SESSION_CODE_KEY = "besluit_voting_code"


def new_code() -> str:
    """128 random bits as 26 base32 letters in groups: easy to read aloud and type."""
    raw = base64.b32encode(secrets.token_bytes(16)).decode().rstrip("=")
    return "-".join(raw[i : i + 4] for i in range(0, len(raw), 4))


def normalise(code: str) -> str:
    letters = "".join(ch for ch in code.upper() if ch.isalnum())
    return "-".join(letters[i : i + 4] for i in range(0, len(letters), 4))


def _code_users(meeting: Meeting, members: list[Member], *, all_active: bool) -> dict[int, int]:
    """The account of each member's code for this meeting (member pk -> user pk).

    One account per member and meeting, made here and nowhere else: marked as a code
    account of that meeting and member (User.code_meeting, code_member), with a random
    name no person's account can take (CODE_USERNAME_PREFIX) and never a password. An
    existing one is found only through this meeting's VotingCode rows whose account was
    made for that very member, never by name: an account someone else made (with a
    password they know) is never handed a member's vote. A fixed number of statements
    however many members: look the accounts up, insert the missing ones, look up which
    of the existing ones lack their role, insert those roles.
    """
    made_here = VotingCode.objects.filter(
        meeting=meeting, user__code_meeting=meeting, user__code_member=F("member")
    ).order_by()
    # All members: no list of ids, so the statement does not carry one parameter each.
    if not all_active:
        made_here = made_here.filter(member__in=[m.pk for m in members])
    existing = dict(made_here.values_list("member_id", "user_id").distinct())
    new = {}
    for member in members:
        if member.pk not in existing:
            user = User(
                username=CODE_USERNAME_PREFIX + secrets.token_urlsafe(18),
                first_name="Stemcode",
                last_name=member.name[: User._meta.get_field("last_name").max_length],
                code_meeting=meeting,
                code_member=member,
            )
            user.set_unusable_password()
            new[member.pk] = user
    # Returns the primary keys (PostgreSQL, SQLite 3.35+). SQLite takes at most 999
    # parameters per INSERT, so Django splits large batches there.
    User.objects.bulk_create(new.values())
    user_ids = {m.pk: existing[m.pk] if m.pk in existing else new[m.pk].pk for m in members}

    with_role: set[int] = set()
    if existing:
        with_role = set(
            Role.objects.filter(
                association=meeting.association,
                kind=Role.Kind.REPRESENTATIVE,
                member=F("user__code_member"),
                user__in=made_here.values("user_id"),
            )
            .order_by()
            .values_list("user_id", flat=True)
        )
    Role.objects.bulk_create(
        Role(
            user_id=user_ids[m.pk],
            association=meeting.association,
            kind=Role.Kind.REPRESENTATIVE,
            member=m,
        )
        for m in members
        if user_ids[m.pk] not in with_role
    )
    return user_ids


def do_issue_codes(*, actor, meeting: Meeting, members=None) -> list[tuple[Member, str]]:
    """Issue a fresh code per member (all active members by default); old codes are revoked.

    The plain codes are returned once, to hand out; only their hashes are kept. The
    number of statements does not grow with the number of members (bulk inserts and
    set-wise lookups), so 20,000 members take seconds, not minutes.
    """
    association = meeting.association
    access.require_administer(actor, association)
    all_active = members is None
    if all_active:
        scope = association.members.filter(active=True)
        members = list(scope.order_by("name"))
    else:
        members = list(members)
        if any(m.association_id != association.pk for m in members):
            raise ValidationFailed(_("That member belongs to another association."), field="member")
        scope = [m.pk for m in members]
    now = timezone.now()
    issued = []
    with transaction.atomic():
        # All members: a subquery rather than a list of 20,000 ids.
        old = VotingCode.objects.filter(meeting=meeting, member__in=scope, revoked_at__isnull=True)
        ending = list(old.order_by().values_list("pk", "user_id"))
        if ending:
            old.update(revoked_at=now)
            _end_sessions({pk for pk, _ in ending}, {user_id for _, user_id in ending})
        user_ids = _code_users(meeting, members, all_active=all_active)
        rows = []
        for member in members:
            code = new_code()
            rows.append(
                VotingCode(
                    meeting=meeting,
                    member=member,
                    code_hash=hash_secret(code),
                    issued_at=now,
                    issued_by=actor,
                    user_id=user_ids[member.pk],
                )
            )
            issued.append((member, code))
        VotingCode.objects.bulk_create(rows)
        record(
            "voting_codes.issued",
            actor=actor,
            association=association,
            obj=meeting,
            members=len(rows),
        )
    return issued


def do_revoke_code(*, actor, code: VotingCode) -> VotingCode:
    access.require_administer(actor, code.meeting.association)
    with transaction.atomic():
        if code.revoked_at is None:
            code.revoked_at = timezone.now()
            code.save(update_fields=["revoked_at"])
            _end_sessions({code.pk}, {code.user_id})
        record(
            "voting_code.revoked",
            actor=actor,
            association=code.meeting.association,
            obj=code,
            member=code.member.code,
        )
    return code


def _end_sessions(code_ids: set[int], user_ids: set[int]) -> None:
    """Log out everyone who came in with these codes: two statements, however many.

    Sessions are not indexed by user, so this reads the unexpired sessions once
    (decoded here) and deletes the ones of these codes or their accounts at once.
    """
    users = {str(pk) for pk in user_ids}
    doomed = [
        session.session_key
        for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator()
        if (data := session.get_decoded()).get(SESSION_CODE_KEY) in code_ids
        or str(data.get(SESSION_KEY)) in users
    ]
    if doomed:
        Session.objects.filter(session_key__in=doomed).delete()


# --- logging in with a code ------------------------------------------------------------------
#
# A code login is one indexed lookup of the code's hash, one UPDATE of its last use, one
# audit event and one session INSERT. It does not go through django.contrib.auth.login():
# - login() sends user_logged_in, whose receivers cost six statements and add nothing here:
#   django-axes logs the access and clears the failed attempts of the username (a code
#   account has no password, so it never has any: axes only counts failures that pass
#   through authenticate(), which a code login never calls); Django sets last_login (the
#   code's last_used_at says it); besluit.security records auth.login (voting_code.login
#   records the same, with the member) and checks the second factor (done in the lookup).
# - login() cycles the session key, which writes the session (INSERT) before the login is
#   in it, and the response writes it again (UPDATE). Here the session gets a new key at
#   its first and only write, at the end of the request.
#
# Guessing a 128-bit code is hopeless, but a stream of wrong codes is still refused per
# client address and for the code space (see _throttle, security.throttle): the counters
# live in Django's cache (Redis, shared by the workers, when REDIS_URL is set; else in
# memory per process; no SQL) and only failures count.

# Loads only code accounts; people log in with PersonBackend (accounts.backends).
CODE_LOGIN_BACKEND = "besluit.accounts.backends.CodeBackend"
THROTTLE_SECONDS = 15 * 60


class TooManyWrongCodes(DomainError):
    status = 429
    code = "throttled"


def valid_codes():
    """Codes not revoked, with their meeting, member and account, and whether that
    account owes a second factor (``needs_second_factor``)."""
    # Whether the account must confirm a second factor, as
    # besluit.security.services.second_factor_required decides it, in the same statement.
    # Issuing gives code accounts only the representative role, so this is false unless
    # someone gave such an account an officer role by hand.
    officer = Role.objects.filter(
        user=OuterRef("user_id"),
        kind__in=second_factor.OFFICER_KINDS,
        association__security_policy__totp_required=True,
    )
    any_policy = SecurityPolicy.objects.filter(totp_required=True)
    return (
        VotingCode.objects.select_related("meeting__association", "member", "user")
        .annotate(
            needs_second_factor=ExpressionWrapper(
                Q(Exists(officer)) | (Q(user__is_superuser=True) & Q(Exists(any_policy))),
                output_field=BooleanField(),
            )
        )
        .filter(revoked_at__isnull=True)
    )


def find_valid(code: str) -> VotingCode:
    """The valid code with this text, its meeting, member and account; one statement."""
    try:
        found = valid_codes().get(code_hash=hash_secret(normalise(code)))
    except VotingCode.DoesNotExist:
        # In the reader's language: the code login page shows it to a member on a phone.
        raise ValidationFailed(
            _("This voting code is not valid (mistyped, revoked or replaced).")
        ) from None
    if found.meeting.status == Meeting.Status.CLOSED:
        raise PermissionDenied(_("The meeting of this voting code is closed."))
    return found


def _address(request) -> str:
    return request.META.get("REMOTE_ADDR") or "-"


def _minutes(seconds: int) -> int:
    return max((seconds + 59) // 60, 1)


def _throttle(request) -> None:
    """Refuse an address that sent too many wrong codes lately, or everyone while the
    code space as a whole saw too many (guessing from rotating addresses); before any
    lookup, from the cache alone."""
    if wait := throttle.CODE_ADDRESS.locked(_address(request)):
        raise TooManyWrongCodes(
            ngettext(
                "Too many wrong voting codes from this address: wait %(minutes)d minute "
                "and try again.",
                "Too many wrong voting codes from this address: wait %(minutes)d minutes "
                "and try again.",
                _minutes(wait),
            )
            % {"minutes": _minutes(wait)}
        )
    if wait := throttle.CODE_SPACE.locked(throttle.CODE_SPACE_KEY):
        raise TooManyWrongCodes(
            ngettext(
                "Too many wrong voting codes were tried: logging in with a code is paused "
                "for %(minutes)d minute.",
                "Too many wrong voting codes were tried: logging in with a code is paused "
                "for %(minutes)d minutes.",
                _minutes(wait),
            )
            % {"minutes": _minutes(wait)}
        )


def _count_failure(request) -> None:
    """Per address and for the code space; each lock is audited once, when it starts."""
    address = _address(request)
    for scope, limiter, key, limit in (
        ("address", throttle.CODE_ADDRESS, address, settings.BESLUIT_CODE_LOGIN_FAILURE_LIMIT),
        (
            "code-space",
            throttle.CODE_SPACE,
            throttle.CODE_SPACE_KEY,
            settings.BESLUIT_CODE_SPACE_FAILURE_LIMIT,
        ),
    ):
        if seconds := limiter.fail(key, limit):
            record_refusal(
                "voting_code.throttled",
                ip=request.META.get("REMOTE_ADDR"),
                scope=scope,
                failures=limit,
                seconds=seconds,
            )


def fill_session(session, found: VotingCode) -> None:
    """What django.contrib.auth.login() puts in a session, without its signal and its
    early session write (the session is saved once, by its caller)."""
    user = found.user
    # Data of an anonymous session (or of this account's own) is kept, as login() keeps it;
    # another person's session is not. Either way the session gets a new key: flush()
    # deletes the old row (if there was one) and the new key is made when it is saved.
    owner = session.get(SESSION_KEY)
    kept = dict(session.items()) if owner in (None, str(user.pk)) else {}
    session.flush()
    session.update(kept)
    session[SESSION_KEY] = user._meta.pk.value_to_string(user)
    session[BACKEND_SESSION_KEY] = CODE_LOGIN_BACKEND
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session[second_factor.SESSION_FLAG] = found.needs_second_factor
    session[SESSION_CODE_KEY] = found.pk
    # A meeting day, not the two weeks of a password session: a fixed end, not renewed.
    session.set_expiry(timedelta(hours=settings.BESLUIT_CODE_SESSION_HOURS))


def mark_used(found: VotingCode, ip: str | None) -> None:
    VotingCode.objects.filter(pk=found.pk).update(last_used_at=timezone.now())
    record(
        "voting_code.login",
        actor=found.user,
        association=found.meeting.association,
        obj=found,
        member=found.member.code,
        ip=ip,
    )


def do_code_login(request, code: str) -> VotingCode:
    """Log the request in as the member's code account; one indexed lookup."""
    _throttle(request)
    try:
        found = find_valid(code)
    except ValidationFailed:
        _count_failure(request)
        raise
    fill_session(request.session, found)
    request.user = found.user
    rotate_token(request)
    mark_used(found, request.META.get("REMOTE_ADDR"))
    return found
