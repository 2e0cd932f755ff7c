"""Voting codes: issue, revoke, and log in with one."""

import base64
import secrets

from django.contrib.auth import login
from django.contrib.sessions.models import Session
from django.db import transaction
from django.utils import timezone

from besluit import access
from besluit.accounts.models import User, VotingCode, hash_secret
from besluit.associations.models import Member, Role
from besluit.audit.services import record
from besluit.errors import PermissionDenied, ValidationFailed
from besluit.meetings.models import Meeting

SESSION_CODE_KEY = "besluit_voting_code"


def new_code() -> str:
    """128 random bits as 26 base32 letters in groups: easy to read aloud and type."""
    raw = base64.b32encode(secrets.token_bytes(16)).decode().rstrip("=")
    return "-".join(raw[i : i + 4] for i in range(0, len(raw), 4))


def normalise(code: str) -> str:
    letters = "".join(ch for ch in code.upper() if ch.isalnum())
    return "-".join(letters[i : i + 4] for i in range(0, len(letters), 4))


def _code_user(meeting: Meeting, member: Member) -> User:
    username = f"stemcode-{meeting.pk}-{member.code.lower()}"
    user, created = User.objects.get_or_create(
        username=username,
        defaults={"first_name": "Stemcode", "last_name": member.name},
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    Role.objects.get_or_create(
        user=user,
        association=meeting.association,
        kind=Role.Kind.REPRESENTATIVE,
        defaults={"member": member},
    )
    return user


def do_issue_codes(*, actor, meeting: Meeting, members=None) -> list[tuple[Member, str]]:
    """Issue a fresh code per member (all eligible members by default); old codes are revoked.

    The plain codes are returned once, to hand out; only their hashes are kept.
    """
    access.require_administer(actor, meeting.association)
    if members is None:
        members = list(meeting.association.members.filter(active=True).order_by("name"))
    now = timezone.now()
    issued = []
    with transaction.atomic():
        members_by_pk = {m.pk: m for m in members}
        old = VotingCode.objects.filter(
            meeting=meeting, member_id__in=members_by_pk, revoked_at__isnull=True
        )
        _end_sessions(list(old.values_list("pk", flat=True)))
        old.update(revoked_at=now)
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
                    user=_code_user(meeting, member),
                )
            )
            issued.append((member, code))
        VotingCode.objects.bulk_create(rows)
        record(
            "voting_codes.issued",
            actor=actor,
            association=meeting.association,
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
            _end_sessions([code.pk])
        record(
            "voting_code.revoked",
            actor=actor,
            association=code.meeting.association,
            obj=code,
            member=code.member.code,
        )
    return code


def _end_sessions(code_ids: list[int]) -> None:
    """Log out everyone who came in with these codes."""
    if not code_ids:
        return
    # Sessions are not indexed by user; the code login stores the code id in them.
    # Only code logins of this meeting are candidates, so the scan stays small.
    users = set(VotingCode.objects.filter(pk__in=code_ids).values_list("user_id", flat=True))
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        data = session.get_decoded()
        if data.get(SESSION_CODE_KEY) in code_ids or (
            data.get("_auth_user_id") and int(data["_auth_user_id"]) in users
        ):
            session.delete()


def find_valid(code: str) -> VotingCode:
    found = (
        VotingCode.objects.select_related("meeting__association", "member", "user")
        .filter(code_hash=hash_secret(normalise(code)), revoked_at__isnull=True)
        .first()
    )
    if found is None:
        raise ValidationFailed("This voting code is not valid (mistyped, revoked or replaced).")
    if found.meeting.status == Meeting.Status.CLOSED:
        raise PermissionDenied("The meeting of this voting code is closed.")
    return found


def do_code_login(request, code: str) -> VotingCode:
    """Log the request in as the member's code account; one indexed lookup."""
    found = find_valid(code)
    login(request, found.user, backend="django.contrib.auth.backends.ModelBackend")
    request.session[SESSION_CODE_KEY] = found.pk
    VotingCode.objects.filter(pk=found.pk).update(last_used_at=timezone.now())
    record(
        "voting_code.login",
        actor=found.user,
        association=found.meeting.association,
        obj=found,
        member=found.member.code,
        ip=request.META.get("REMOTE_ADDR"),
    )
    return found
