"""Keep a voting-code session inside its meeting.

A code (accounts.codes) lets a member's representative vote in one meeting. Its
session may use only the pages a voter needs there: the live page and its parts,
that meeting's polls (page, vote, participation), the API's poll and ballot
endpoints for those polls, the code login and logging out. Anything else is refused
with 403 (the 403 page; problem+json under /api/ and /live/). The session ends, at
its next request, once its code is revoked or replaced or its meeting closed.
Password sessions pass without a query.

Sync and async capable, so the async live stream stays async.
"""

import re
import uuid

from asgiref.sync import sync_to_async
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, SESSION_KEY
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.urls import Resolver404, resolve, reverse

from besluit.http.middleware import SyncAndAsyncMiddleware
from besluit.http.problems import problem

CODE_BACKEND = "besluit.accounts.backends.CodeBackend"
REFUSED = "A voting code gives access only to the voting pages of its own meeting."

# URL names a code session may open, when their meeting (or poll's meeting) is its own.
MEETING_PAGES = {
    "live:participant",
    "live:fragment",
    "live:events",
    "live:request_to_speak",
    "live:speaker_action",
    "web:polls",
}
POLL_PAGES = {"web:poll", "web:poll_vote", "web:poll_vote_sealed", "web:poll_participation"}
API_POLL = re.compile(
    r"/api/v1/polls/([0-9a-fA-F-]{32,36})(?:/(?:ballots|sealed-ballots|participation))?/?"
)


def is_code_session(session) -> bool:
    return session is not None and session.get(BACKEND_SESSION_KEY) == CODE_BACKEND


def _always_open(path: str) -> bool:
    if path.startswith((settings.STATIC_URL, "/i18n/")):
        return True
    return path in (reverse("logout"), reverse("live:code_login"), reverse("web:check_receipt"))


def _valid_meeting(request) -> int | None:
    """The meeting of this session's code while the code is valid and its meeting open."""
    from besluit.accounts.codes import SESSION_CODE_KEY
    from besluit.accounts.models import VotingCode
    from besluit.meetings.models import Meeting

    session = request.session
    return (
        VotingCode.objects.filter(
            pk=session.get(SESSION_CODE_KEY),
            user_id=session.get(SESSION_KEY),
            revoked_at__isnull=True,
        )
        .exclude(meeting__status=Meeting.Status.CLOSED)
        .values_list("meeting_id", flat=True)
        .first()
    )


def _poll_in(meeting_id: int, poll_id) -> bool:
    from besluit.voting.models import Poll

    try:
        public_id = uuid.UUID(str(poll_id))
    except ValueError:
        return False
    return Poll.objects.filter(public_id=public_id, meeting_id=meeting_id).exists()


def _allowed(path: str, meeting_id: int) -> bool:
    if match := API_POLL.fullmatch(path):
        return _poll_in(meeting_id, match[1])
    try:
        found = resolve(path)
    except Resolver404:
        return False
    if found.view_name in MEETING_PAGES:
        return found.kwargs.get("meeting_id") == meeting_id
    if found.view_name in POLL_PAGES:
        return _poll_in(meeting_id, found.kwargs.get("poll_id"))
    return False


def check(request):
    """None to let the request through, or the response that refuses it."""
    session = getattr(request, "session", None)
    if not is_code_session(session):
        return None
    path = request.path_info
    meeting_id = _valid_meeting(request)
    if meeting_id is None:
        # Revoked, replaced or its meeting closed: the session ends here.
        session.flush()
        request.user = AnonymousUser()
        return None
    if _always_open(path) or _allowed(path, meeting_id):
        return None
    if path.startswith(("/api/", "/live/")):
        return problem(403, "Forbidden", REFUSED, code="voting-code-scope")
    raise PermissionDenied(REFUSED)


class CodeSessionMiddleware(SyncAndAsyncMiddleware):
    def handle(self, request):
        return check(request) or self.get_response(request)

    async def ahandle(self, request):
        if await sync_to_async(is_code_session)(getattr(request, "session", None)):
            refused = await sync_to_async(check)(request)
            if refused is not None:
                return refused
        return await self.get_response(request)
