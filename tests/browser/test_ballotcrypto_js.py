"""The browser's ballot cryptography (voting/static/voting/ballotcrypto.js, on noble)
against the Python core, byte for byte: known answers computed here, reproduced in
Chromium, and what the browser makes accepted by the Python verifier."""

import os

import pytest

from besluit.core.ballotcrypto import trustees as kt
from besluit.core.ballotcrypto.ballot import EncryptedBallot, encrypt_ballot
from besluit.core.ballotcrypto.elgamal import KeyPair, encrypt
from besluit.core.ballotcrypto.group import Scalar, derive_nonce
from besluit.core.ballotcrypto.sealed import context_for, verify_sealed, voter_binding
from besluit.core.ballotcrypto.tally import audit_ballot, ballot_randomness
from besluit.core.ballotcrypto.threshold import (
    DecryptionShare,
    make_decryption_share,
    verify_decryption_share,
)

pytestmark = pytest.mark.django_db(transaction=True)

POLL = "0f8fad5b-d9cb-469f-a165-70867728950e"
KEY = "q6dF8Ppl0bNQeJ3Jd9yJ4lSM5Y1Wc3K_"
SEED = bytes(range(32))


def _module(page):
    page.goto("/static/voting/ballotcrypto.js")  # same origin for the module import

    def call(expression: str, *args):
        return page.evaluate(
            f"""async (args) => {{
                const m = await import('/static/voting/ballotcrypto.js');
                const unhex = m.unhex, hex = m.hex;
                return await (({expression}))(...args);
            }}""",
            list(args),
        )

    return call


def test_ballot_known_answer_and_audit(new_page):
    call = _module(new_page())
    kp = KeyPair.from_secret(derive_nonce(bytes([1]) * 32, "key", 0))
    voter = voter_binding(POLL, "GM0363", KEY)
    ctx = context_for(POLL, voter, kp.public, 3)
    expected = encrypt_ballot(ctx, 1, seed=SEED).to_bytes().hex()

    got = call(
        """(poll, member, key, y, seed) => {
            const voter = m.voterBinding(poll, member, key);
            const b = m.encryptBallot(
                {pollId: poll, memberId: voter, requestKey: "", publicKey: y, options: 3},
                1, unhex(seed));
            return {voter, ballot: hex(b.bytes), tracker: b.tracker,
                    audit: m.auditBallot(y, b.bytes, 1, unhex(seed)),
                    lie: m.auditBallot(y, b.bytes, 0, unhex(seed))};
        }""",
        POLL,
        "GM0363",
        KEY,
        kp.public.encoding.hex(),
        SEED.hex(),
    )
    assert got["voter"] == voter
    assert got["ballot"] == expected
    assert got["audit"] is True and got["lie"] is False
    ballot = verify_sealed(POLL, voter, kp.public, 3, bytes.fromhex(got["ballot"]))
    audit_ballot(ctx, ballot, 1, ballot_randomness(SEED, 3))

    # A fresh seed each time in production: a different ballot that still verifies.
    fresh = call(
        """(poll, voter, y) => hex(m.encryptBallot(
            {pollId: poll, memberId: voter, publicKey: y, options: 4}, 3).bytes)""",
        POLL,
        voter,
        kp.public.encoding.hex(),
    )
    verify_sealed(POLL, voter, kp.public, 4, bytes.fromhex(fresh))
    assert EncryptedBallot.decode(bytes.fromhex(fresh)).to_bytes().hex() == fresh


def test_trustee_steps_interoperate_with_the_python_core(new_page):
    call = _module(new_page())
    params = kt.ElectionParams("e-1", 3, 2)
    election = {"id": "e-1", "n": 3, "k": 2}
    comm = {i: Scalar.random() for i in (1, 2, 3)}
    seeds = {i: os.urandom(32) for i in (1, 2, 3)}
    polys = {i: kt.Polynomial.from_seed(params, i, seeds[i]) for i in (1, 2, 3)}

    # Step 1 in the browser for trustee 2: Python accepts both proofs, same points.
    made = call(
        """(e, comm, seed) => {
            const r = m.trusteeKey(e, 2, m.decodeScalar(unhex(comm)), unhex(seed));
            return [hex(r.commKey), hex(r.commitment)];
        }""",
        election,
        comm[2].encoding.hex(),
        seeds[2].hex(),
    )
    ck, dc = (
        kt.CommKey.decode(bytes.fromhex(made[0])),
        kt.DealerCommitment.decode(bytes.fromhex(made[1])),
    )
    ck.verify(params)
    dc.verify(params)
    assert dc.commitments == polys[2].commit(params, Scalar.random()).commitments
    commitments = {
        i: (dc if i == 2 else polys[i].commit(params, Scalar.random())) for i in (1, 2, 3)
    }
    keys = {i: kt.CommKey.create(params, i, comm[i], Scalar.random()) for i in (1, 2, 3)}

    # Step 2 in the browser: Python opens and checks the boxes trustee 2 dealt.
    dealt = call(
        """(e, seed, keys) => m.dealShares(e, 2, unhex(seed), keys).map(hex)""",
        election,
        seeds[2].hex(),
        {str(i): k.to_bytes().hex() for i, k in keys.items()},
    )
    assert len(dealt) == 2
    for data in dealt:
        msg = kt.EncryptedShare.decode(bytes.fromhex(data))
        s = kt.decrypt_share(params, comm[msg.recipient], msg)
        kt.verify_share(commitments[2], msg.recipient, s)

    # At the close, the browser's key share for trustee 2 from Python-made boxes...
    inbox = [
        kt.encrypt_share(params, i, keys[2], polys[i](2), Scalar.random()).to_bytes().hex()
        for i in (1, 3)
    ]
    expected_x = polys[1](2) + polys[2](2) + polys[3](2)
    y = kt.joint_public_key(params, list(commitments.values()))
    cts = tuple(encrypt(y, m, Scalar.random()) for m in (5, 0, 2))
    share_seed = os.urandom(32)
    got = call(
        """(e, comm, seed, inbox, commitments, cts, shareSeed) => {
            const x = m.keyShare(e, 2, m.decodeScalar(unhex(comm)), unhex(seed), inbox,
                                 commitments);
            return [hex(m.scalarBytes(x)),
                    hex(m.decryptionShare(e, 2, x, cts, unhex(shareSeed)))];
        }""",
        election,
        comm[2].encoding.hex(),
        seeds[2].hex(),
        inbox,
        {str(i): c.to_bytes().hex() for i, c in commitments.items()},
        [ct.to_bytes().hex() for ct in cts],
        share_seed.hex(),
    )
    assert got[0] == expected_x.encoding.hex()
    # ... and its decryption share: the same bytes as Python's, and valid.
    expected = make_decryption_share(params, 2, expected_x, cts, seed=share_seed)
    assert got[1] == expected.to_bytes().hex()
    vk = kt.verification_key(params, list(commitments.values()), 2)
    verify_decryption_share(params, vk, cts, DecryptionShare.decode(bytes.fromhex(got[1])))

    # A tampered box is refused in the browser with the dealer named.
    bad = bytearray(bytes.fromhex(inbox[0]))
    bad[-1] ^= 1
    error = call(
        """(e, comm, seed, inbox, commitments) => {
            try { m.keyShare(e, 2, m.decodeScalar(unhex(comm)), unhex(seed), inbox,
                             commitments); return null; }
            catch (err) { return [err.code, err.message]; }
        }""",
        election,
        comm[2].encoding.hex(),
        seeds[2].hex(),
        [bytes(bad).hex(), inbox[1]],
        {str(i): c.to_bytes().hex() for i, c in commitments.items()},
    )
    assert error[0] == "share_decrypt_failed" and "trustee 1" in error[1]


def test_the_receipt_pages_consistency_check_agrees_with_the_python_core(new_page):
    """receipt.js's RFC 9162 consistency check (the receipt's tree against the closing
    checkpoint) against core.merkle: every pair of sizes, and a flipped byte fails."""
    from besluit.core import merkle

    page = new_page()
    page.goto("/static/voting/receipt.js")
    log = merkle.MerkleLog.from_data(f"leaf {i}".encode() for i in range(13))
    cases = []
    for old in range(1, 14):
        for new in (old, 7, 8, 13):
            if new >= old:
                proof = [h.hex() for h in log.consistency_proof(old, new)]
                cases.append([old, new, log.root_at(old).hex(), log.root_at(new).hex(), proof])
    results = page.evaluate(
        """async (cases) => {
            const r = await import('/static/voting/receipt.js');
            const c = await import('/static/voting/ballotcrypto.js');
            const flip = (h) => (h[0] === "0" ? "1" : "0") + h.slice(1);
            return cases.map(([o, n, a, b, p]) => [
                r.verifyConsistency(o, n, c.unhex(a), c.unhex(b), p.map(c.unhex)),
                r.verifyConsistency(o, n, c.unhex(flip(a)), c.unhex(b), p.map(c.unhex)),
                p.length ? r.verifyConsistency(o, n, c.unhex(a), c.unhex(b),
                                               [flip(p[0]), ...p.slice(1)].map(c.unhex)) : false,
            ]);
        }""",
        cases,
    )
    assert all(ok for ok, _, _ in results)
    assert not any(bad_root or bad_proof for _, bad_root, bad_proof in results)
