"""End-to-end verifiable weighted secret ballots: the pure protocol layer (no Django).

Modules, bottom-up: ``group`` (ristretto255 scalars and points, hashing), ``elgamal``
(exponential ElGamal, weights in integer units, bounded discrete log), ``proofs``
(Chaum-Pedersen and disjunctive 0/1 proofs), ``ballot`` (a ballot and its context),
``trustees`` (dealer-less threshold keys, share transport, decryption shares) and
``tally`` (weighted homomorphic tally, decryption, Benaloh audit). The protocol and every
byte layout are in docs/ballot-encryption.md.
"""

from .errors import BallotCryptoError

__all__ = ["BallotCryptoError"]
