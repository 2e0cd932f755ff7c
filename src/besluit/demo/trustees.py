"""The demo's trustees: the chair, the board member and the secretariat of the VVVG keep
the key of the Najaars-ALV's secret votes, any 2 of the 3 decrypt.

What trustee.js does in each trustee's browser is done here in Python with the same
protocol (core.ballotcrypto). Each trustee's secrets are written to the data folder as
the key file trustee.js downloads (format ``besluit-trustee-key/1``: PBKDF2-SHA256,
600,000 rounds, AES-256-GCM), under a passphrase the demo prints and the README names,
so a demo trustee can open it on their page to decrypt a vote the visitor closes.
"""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC
from django.conf import settings

from besluit.core.ballotcrypto import trustees as kt
from besluit.core.ballotcrypto.group import Scalar
from besluit.core.ballotcrypto.threshold import make_decryption_share
from besluit.voting import trustees
from besluit.voting.models import Election, Poll

# Demo only: in real use each trustee chooses a passphrase and tells nobody.
PASSPHRASES = {
    "voorzitter": "demo-sleutel-voorzitter",
    "bestuur": "demo-sleutel-bestuur",
    "secretariaat": "demo-sleutel-secretariaat",
}
ROUNDS = 600_000  # as trustee.js
FOLDER = "demo-stembeheerders"


def key_folder() -> Path:
    return Path(settings.DATA_DIR) / FOLDER


@dataclass
class DemoTrustee:
    """One trustee's device, as trustee.js is in the browser: its secrets and what it sends."""

    user: object
    index: int
    comm: Scalar = field(default_factory=Scalar.random)
    seed: bytes = field(default_factory=lambda: secrets.token_bytes(32))

    def make_key(self, election: Election) -> tuple[bytes, bytes]:
        """The communication key and the commitment to the own polynomial."""
        params = trustees.params_of(election)
        poly = kt.Polynomial.from_seed(params, self.index, self.seed)
        ck = kt.CommKey.create(params, self.index, self.comm, Scalar.random())
        return ck.to_bytes(), poly.commit(params, Scalar.random()).to_bytes()

    def deal(self, election: Election) -> list[bytes]:
        """The own polynomial's value for each other trustee, encrypted to its key."""
        params = trustees.params_of(election)
        state = trustees.ceremony_state(election)
        poly = kt.Polynomial.from_seed(params, self.index, self.seed)
        return [
            kt.encrypt_share(
                params, self.index, kt.CommKey.decode(bytes.fromhex(key)), poly(j), Scalar.random()
            ).to_bytes()
            for j, key in sorted(state["comm_keys"].items())
            if j != self.index
        ]

    def key_share(self, election: Election) -> Scalar:
        """x_j: the own polynomial's value plus the boxes the others sent (Feldman-checked)."""
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

    def tally_share(self, poll: Poll) -> tuple[bytes, bytes]:
        """The decryption shares of the poll's weighted and counted tallies."""
        params = trustees.params_of(poll.election)
        x = self.key_share(poll.election)
        weighted, counted = trustees.tally_of(poll)
        w = make_decryption_share(params, self.index, x, weighted, seed=secrets.token_bytes(32))
        c = make_decryption_share(params, self.index, x, counted, seed=secrets.token_bytes(32))
        return w.to_bytes(), c.to_bytes()


def ceremony(
    *, chair, meeting, users, threshold: int, server: bool = False
) -> tuple[Election, list[DemoTrustee]]:
    """Appoint ``users`` (``threshold`` of them decrypt); each makes its key and deals its
    shares to the others."""
    election = trustees.do_create_election(
        actor=chair, meeting=meeting, trustees=users, threshold=threshold, server=server
    )
    people = [DemoTrustee(u, i) for i, u in enumerate(users, start=1)]
    for t in people:
        comm_key, commitment = t.make_key(election)
        election = trustees.do_submit_trustee_key(
            actor=t.user, election=election, comm_key=comm_key, commitment=commitment
        )
    for t in people:
        election = trustees.do_submit_trustee_shares(
            actor=t.user, election=election, shares=t.deal(election)
        )
    return election, people


def make_election(*, chair, meeting, users) -> tuple[Election, list[DemoTrustee]]:
    """Appoint ``users`` (2 of them decrypt), make their keys and deal their shares, and
    write each one's key file."""
    election, people = ceremony(chair=chair, meeting=meeting, users=users, threshold=2)
    for t in people:
        write_key_file(election, t)
    return election, people


def key_file_path(election: Election, trustee: DemoTrustee) -> Path:
    # The name trustee.js gives the download, in a folder per demo user.
    return (
        key_folder()
        / trustee.user.username
        / f"sleutel-{str(election.public_id)[:8]}-{trustee.index}.json"
    )


def write_key_file(election: Election, trustee: DemoTrustee) -> Path:
    """The trustee's secrets as trustee.js seals them (its ``openFile`` opens this)."""
    salt, iv = os.urandom(16), os.urandom(12)
    kdf = PBKDF2HMAC(algorithm=hashes.SHA256(), length=32, salt=salt, iterations=ROUNDS)
    key = kdf.derive(PASSPHRASES[trustee.user.username].encode())
    plain = json.dumps({"comm": trustee.comm.encoding.hex(), "seed": trustee.seed.hex()})
    data = AESGCM(key).encrypt(iv, plain.encode(), None)
    path = key_file_path(election, trustee)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        json.dumps(
            {
                "format": "besluit-trustee-key/1",
                "election": str(election.public_id),
                "trustee": trustee.index,
                "kdf": {"name": "PBKDF2-SHA256", "iterations": ROUNDS, "salt": salt.hex()},
                "cipher": "AES-256-GCM",
                "iv": iv.hex(),
                "data": data.hex(),
            },
            indent=2,
        )
    )
    path.chmod(0o600)
    return path


def open_key_file(path: Path, passphrase: str) -> dict:
    """What trustee.js's ``openFile`` does (for the tests and for a curious operator)."""
    file = json.loads(path.read_text())
    kdf = PBKDF2HMAC(
        algorithm=hashes.SHA256(),
        length=32,
        salt=bytes.fromhex(file["kdf"]["salt"]),
        iterations=file["kdf"]["iterations"],
    )
    key = kdf.derive(passphrase.encode())
    plain = AESGCM(key).decrypt(bytes.fromhex(file["iv"]), bytes.fromhex(file["data"]), None)
    return json.loads(plain)


def decrypt(poll: Poll, people: list[DemoTrustee], *, now=None) -> Poll:
    """The first two trustees send their decryption shares: the result appears."""
    for t in people[: poll.election.threshold]:
        weights, counts = t.tally_share(poll)
        poll = trustees.do_submit_tally_share(
            actor=t.user, poll=poll, weights=weights, counts=counts, now=now
        )
    return poll
