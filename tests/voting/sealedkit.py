"""What the trustees' and voters' browsers do, in Python (core.ballotcrypto), for tests."""

import secrets

from besluit.core.ballotcrypto.ballot import encrypt_ballot
from besluit.core.ballotcrypto.group import Point
from besluit.core.ballotcrypto.sealed import context_for, voter_binding
from besluit.demo import trustees as demo_trustees
from besluit.voting import encrypted
from tests import factories


def ceremony(chair, meeting, users, threshold, *, server=False):
    """The key ceremony, each trustee a ``demo_trustees.DemoTrustee`` (trustee.js in Python)."""
    return demo_trustees.ceremony(
        chair=chair, meeting=meeting, users=users, threshold=threshold, server=server
    )


def secret_poll(chair, meeting):
    """An open secret poll on a proposal of ``meeting`` (its trustees' key made first:
    ``ceremony``)."""
    return factories.open_poll(
        chair,
        meeting,
        subject="proposal",
        proposal=factories.make_proposal(meeting),
        is_secret=True,
    )


def request_key() -> str:
    return secrets.token_urlsafe(24)


def seal(poll, member, choice: int, key: str | None = None, *, seed=None):
    """The browser's work: the encrypted ballot for ``choice`` (an option index)."""
    key = key or request_key()
    voter = voter_binding(str(poll.public_id), member.code, key)
    y = Point.decode(bytes.fromhex(poll.election.public_key))
    ctx = context_for(str(poll.public_id), voter, y, poll.options.count())
    return encrypt_ballot(ctx, choice, seed=seed).to_bytes(), key


def vote(poll, user, member, choice: int, key: str | None = None):
    data, key = seal(poll, member, choice, key)
    request = encrypted.SealedRequest(user_id=user.pk, ballot=data, request_key=key)
    return encrypted.cast_sealed(poll.pk, request)
