"""The weighted homomorphic tally, its threshold decryption and the Benaloh audit.

Tally (Helios/Belenios style, with weights): for every option t,
``T_t = sum_b w_b · ct_bt`` where w_b is the member's frozen weight in integer units
(``elgamal.weight_units``). Ballots are summed per distinct weight first and each sum
multiplied once, which is the same value (scalar multiplication distributes over
addition) with one multiplication per distinct weight instead of per ballot: ~342
municipal weights, not 20,000 multiplications.

Decryption: k verified decryption shares give m_t·G, and m_t comes from the bounded
log with bound W = the total weight (in units) of the ballots counted, which is public.
Because each ballot is proven to hold exactly one 1, sum_t m_t must equal W: the last
option's total is taken as W minus the others and confirmed (m·G equal to the combined
point), one search fewer; a mismatch (``tally_inconsistent``) means the inputs were not
what was proven.

Benaloh audit ("cast or audit", Benaloh 2006/2007, as in Helios): the voter's device
encrypts, the voter may then ask it to open that ballot instead of casting it. The
opened ballot (its per-option randomness r_t and the claimed choice) must re-encrypt
to exactly the ciphertexts shown; an audited ballot is never cast.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from .ballot import BallotContext, EncryptedBallot, verify_ballot
from .elgamal import Ciphertext, discrete_log, encrypt
from .errors import BallotCryptoError
from .group import Point, Scalar, derive_nonce
from .threshold import DecryptionShare, combine, verify_decryption_share
from .trustees import ElectionParams

__all__ = [
    "TallyResult",
    "aggregate",
    "audit_ballot",
    "ballot_randomness",
    "decrypt_tally",
    "verify_and_aggregate",
]


@dataclass(frozen=True, slots=True)
class TallyResult:
    """Per-option totals in weight units, and the decimals d they are scaled by."""

    units: tuple[int, ...]
    decimals: int

    @property
    def weights(self) -> tuple[Decimal, ...]:
        """The exact Decimal totals: units / 10**d."""
        return tuple(Decimal(u).scaleb(-self.decimals) for u in self.units)


def aggregate(items: Iterable[tuple[EncryptedBallot, int]], options: int) -> tuple[Ciphertext, ...]:
    """sum_b w_b·ct_bt per option, grouping ballots by weight (one multiply per weight)."""
    by_weight: dict[int, list[Ciphertext]] = {}
    for ballot, units in items:
        if len(ballot.ciphertexts) != options:
            raise BallotCryptoError("option_count", f"a ballot has not {options} options")
        if units < 0:
            raise BallotCryptoError("weight_invalid", "a weight must not be negative")
        sums = by_weight.get(units)
        if sums is None:
            by_weight[units] = list(ballot.ciphertexts)
        else:
            for t, ct in enumerate(ballot.ciphertexts):
                sums[t] = sums[t] + ct
    totals = [Ciphertext.zero()] * options
    for units, sums in by_weight.items():
        for t in range(options):
            totals[t] = totals[t] + sums[t].scale(units)
    return tuple(totals)


def verify_and_aggregate(
    items: Iterable[tuple[BallotContext, EncryptedBallot, int]], options: int
) -> tuple[tuple[Ciphertext, ...], int]:
    """Verify every ballot's proofs, then aggregate; returns (tally, total weight units).

    An invalid ballot raises with its member id in ``detail``; the caller decides whether
    to stop (a verifier) or to have refused it at the ballot edge (it must never get here).
    """
    checked: list[tuple[EncryptedBallot, int]] = []
    total = 0
    for ctx, ballot, units in items:
        try:
            verify_ballot(ctx, ballot)
        except BallotCryptoError as exc:
            raise BallotCryptoError(
                exc.code, exc.message, member=ctx.member_id, **exc.detail
            ) from exc
        checked.append((ballot, units))
        total += units
    return aggregate(checked, options), total


def decrypt_tally(
    params: ElectionParams,
    tally: tuple[Ciphertext, ...],
    shares: list[DecryptionShare],
    verification_keys: Mapping[int, Point],
    *,
    total_units: int,
    decimals: int,
) -> TallyResult:
    """Verify each share against its trustee's key, combine k, take bounded logs, check the sum."""
    for share in shares:
        if share.trustee not in verification_keys:
            raise BallotCryptoError(
                "trustee_unknown", "no verification key for the trustee", trustee=share.trustee
            )
        verify_decryption_share(params, verification_keys[share.trustee], tally, share)
    points = combine(params, tally, shares)
    # The last total is W minus the others, confirmed by one multiplication instead of a
    # third search; a mismatch is the same failure as totals that do not add up to W.
    head = [discrete_log(p, total_units) for p in points[:-1]]
    last = total_units - sum(head)
    if last < 0 or Point.base_times(Scalar.of(last)) != points[-1]:
        raise BallotCryptoError(
            "tally_inconsistent", f"the option totals do not add up to {total_units}"
        )
    return TallyResult((*head, last), decimals)


def ballot_randomness(seed: bytes, options: int) -> tuple[Scalar, ...]:
    """The per-option encryption randomness r_t = derive_nonce(seed, "r", t) of a ballot."""
    return tuple(derive_nonce(seed, "r", t) for t in range(options))


def audit_ballot(
    ctx: BallotContext, ballot: EncryptedBallot, choice: int, randomness: tuple[Scalar, ...]
) -> None:
    """Check an opened (audited, never cast) ballot encrypts ``choice`` with ``randomness``.

    Raises ``audit_mismatch`` naming the first option whose ciphertext differs: the device
    encrypted something other than what the voter chose, or lied about the opening.
    """
    verify_ballot(ctx, ballot)
    if not 0 <= choice < ctx.options or len(randomness) != ctx.options:
        raise BallotCryptoError("audit_mismatch", "the opening does not fit the ballot")
    for t, (ct, r) in enumerate(zip(ballot.ciphertexts, randomness, strict=True)):
        if encrypt(ctx.public_key, int(t == choice), r) != ct:
            raise BallotCryptoError(
                "audit_mismatch", f"option {t} does not re-encrypt to the ballot", option=t
            )
