"""What the trustees' and voters' browsers do, in Python (core.ballotcrypto), for tests."""

import os
import secrets

from besluit.core.ballotcrypto import trustees as kt
from besluit.core.ballotcrypto.ballot import encrypt_ballot
from besluit.core.ballotcrypto.group import Point, Scalar
from besluit.core.ballotcrypto.sealed import context_for, voter_binding
from besluit.core.ballotcrypto.threshold import make_decryption_share
from besluit.voting import encrypted, trustees


class Keeper:
    """One trustee's device: its secrets, as the passphrase-protected file would hold them."""

    def __init__(self, user, index: int):
        self.user, self.index = user, index
        self.comm, self.seed = Scalar.random(), os.urandom(32)

    def make_key(self, election):
        params = trustees.params_of(election)
        poly = kt.Polynomial.from_seed(params, self.index, self.seed)
        ck = kt.CommKey.create(params, self.index, self.comm, Scalar.random())
        return ck.to_bytes(), poly.commit(params, Scalar.random()).to_bytes()

    def deal(self, election):
        params = trustees.params_of(election)
        state = trustees.ceremony_state(election)
        poly = kt.Polynomial.from_seed(params, self.index, self.seed)
        out = []
        for j, hexkey in sorted(state["comm_keys"].items()):
            if j != self.index:
                key = kt.CommKey.decode(bytes.fromhex(hexkey))
                out.append(kt.encrypt_share(params, self.index, key, poly(j), Scalar.random()))
        return [m.to_bytes() for m in out]

    def key_share(self, election) -> Scalar:
        params = trustees.params_of(election)
        state = trustees.ceremony_state(election)
        x = kt.Polynomial.from_seed(params, self.index, self.seed)(self.index)
        me = election.trustees.get(index=self.index)
        for data in trustees.inbox(election, me):
            msg = kt.EncryptedShare.decode(bytes.fromhex(data))
            s = kt.decrypt_share(params, self.comm, msg)
            commitment = kt.DealerCommitment.decode(bytes.fromhex(state["commitments"][msg.dealer]))
            kt.verify_share(commitment, self.index, s)
            x = x + s
        return x

    def tally_share(self, poll):
        params = trustees.params_of(poll.election)
        x = self.key_share(poll.election)
        weighted, counted = trustees.tally_of(poll)
        w = make_decryption_share(params, self.index, x, weighted, seed=os.urandom(32))
        c = make_decryption_share(params, self.index, x, counted, seed=os.urandom(32))
        return w.to_bytes(), c.to_bytes()


def ceremony(chair, meeting, users, threshold, *, server=False):
    election = trustees.do_create_election(
        actor=chair, meeting=meeting, trustees=users, threshold=threshold, server=server
    )
    keepers = [Keeper(u, i) for i, u in enumerate(users, start=1)]
    for k in keepers:
        ck, dc = k.make_key(election)
        election = trustees.do_submit_trustee_key(
            actor=k.user, election=election, comm_key=ck, commitment=dc
        )
    for k in keepers:
        election = trustees.do_submit_trustee_shares(
            actor=k.user, election=election, shares=k.deal(election)
        )
    return election, keepers


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
