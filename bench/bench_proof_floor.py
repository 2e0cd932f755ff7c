#!/usr/bin/env python
"""How much of a sealed ballot's proof check is libsodium, and how much is our Python.

    .venv/bin/python bench/bench_proof_floor.py [--options 3] [--checks 300] [--repeat 3]

Counts the libsodium calls (through rbcl) that one ``verify_ballot`` makes when it
computes the proofs' commitments with libsodium's public functions
(``group.combinations_by_libsodium``), times each kind of call alone on the same inputs'
sizes, and compares their sum (the floor: what the check costs if the Python around the
calls cost nothing) with the CPU time of the whole check. Then the same for the compiled
combinations (``native/combinations.c``, what the server uses): their calls replayed
alone against the whole check. Process CPU time (time.process_time); the median of
--repeat rounds, each interleaving all of it.
"""

import argparse
import platform
import time
from collections import Counter
from unittest import mock

import rbcl

from besluit.core.ballotcrypto import group
from besluit.core.ballotcrypto.ballot import BallotContext, encrypt_ballot, verify_ballot
from besluit.core.ballotcrypto.group import Point, Scalar

# The rbcl functions a check may call, as group.py uses them.
CALLS = (
    "crypto_scalarmult_ristretto255_allow_scalar_zero",
    "crypto_scalarmult_ristretto255_base_allow_scalar_zero",
    "crypto_core_ristretto255_add",
    "crypto_core_ristretto255_sub",
    "crypto_core_ristretto255_is_valid_point",
    "crypto_core_ristretto255_scalar_reduce",
    "crypto_core_ristretto255_scalar_add",
    "crypto_core_ristretto255_scalar_sub",
    "crypto_core_ristretto255_scalar_mul",
)


def cpu_per_call(fn, n: int, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.process_time()
        for _ in range(n):
            fn()
        best = min(best, (time.process_time() - start) / n)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("--options", type=int, default=3)
    parser.add_argument("--checks", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    key = Point.base_times(Scalar.random())
    ctx = BallotContext("poll", "voter", "", key, args.options)
    ballot = encrypt_ballot(ctx, 1)

    counts: Counter[str] = Counter()
    originals = {name: getattr(rbcl, name) for name in CALLS}

    def counted(name):
        def call(*a):
            counts[name] += 1
            return originals[name](*a)

        return call

    with (
        mock.patch.object(group, "_combinations", None),
        mock.patch.multiple(group.rbcl, **{name: counted(name) for name in CALLS}),
    ):
        verify_ballot(ctx, ballot)

    native = group._combinations
    if native is None:
        raise SystemExit("the compiled combinations are not built: pip install -e .")
    replays: list[tuple] = []
    real = native.public_combinations

    def recorded(*a):
        replays.append(a)
        return real(*a)

    with mock.patch.object(native, "public_combinations", recorded):
        verify_ballot(ctx, ballot)

    def by_libsodium():
        with mock.patch.object(group, "_combinations", None):
            verify_ballot(ctx, ballot)

    def compiled_calls():
        for a in replays:
            real(*a)

    s, p, q = Scalar.random().encoding, key.encoding, Point.base_times(Scalar.random()).encoding
    wide = bytes(range(64))
    samples = {
        "crypto_scalarmult_ristretto255_allow_scalar_zero": lambda: originals[CALLS[0]](s, p),
        "crypto_scalarmult_ristretto255_base_allow_scalar_zero": lambda: originals[CALLS[1]](s),
        "crypto_core_ristretto255_add": lambda: originals[CALLS[2]](p, q),
        "crypto_core_ristretto255_sub": lambda: originals[CALLS[3]](p, q),
        "crypto_core_ristretto255_is_valid_point": lambda: originals[CALLS[4]](p),
        "crypto_core_ristretto255_scalar_reduce": lambda: originals[CALLS[5]](wide),
        "crypto_core_ristretto255_scalar_add": lambda: originals[CALLS[6]](s, s),
        "crypto_core_ristretto255_scalar_sub": lambda: originals[CALLS[7]](s, s),
        "crypto_core_ristretto255_scalar_mul": lambda: originals[CALLS[8]](s, s),
    }
    # Rounds that interleave the calls and the whole check: a shared machine's speed
    # drifts between seconds, so each round's floor is compared with its own check.
    n = max(200, args.checks)
    rounds = []
    for _ in range(args.repeat):
        each = {name: cpu_per_call(samples[name], n, 1) for name in CALLS if counts[name]}
        whole = cpu_per_call(by_libsodium, args.checks, 1)
        compiled = cpu_per_call(lambda: verify_ballot(ctx, ballot), args.checks, 1)
        compiled_alone = cpu_per_call(compiled_calls, args.checks, 1)
        rounds.append(
            (
                sum(counts[k] * v for k, v in each.items()) / whole,
                each,
                whole,
                compiled,
                compiled_alone,
            )
        )
    rounds.sort(key=lambda r: r[0])
    share, each, whole, compiled, compiled_alone = rounds[len(rounds) // 2]  # the median
    floor = share * whole

    print(f"# one {args.options}-option ballot's check; {platform.node()}, {time.ctime()}")
    print(f"# the median of {args.repeat} rounds (rbcl's calls alone / the whole check)")
    print("| rbcl call (libsodium) | calls per check | µs per call (CPU) | µs per check |")
    print("|---|--:|--:|--:|")
    for name, cost in each.items():
        print(f"| {name} | {counts[name]} | {cost * 1e6:.1f} | {counts[name] * cost * 1e6:.0f} |")
    print(f"| **rbcl's calls alone** | | | **{floor * 1e6:.0f}** |")
    print(f"| **the whole check with libsodium's public functions** | | | **{whole * 1e6:.0f}** |")
    rows = sum(r[2] for r in replays)
    print(
        f"| compiled combinations (native/combinations.c) | {len(replays)} "
        f"({rows} combinations) | {compiled_alone / len(replays) * 1e6:.1f} "
        f"| {compiled_alone * 1e6:.0f} |"
    )
    print(f"| **the whole check (verify_ballot, as served)** | | | **{compiled * 1e6:.0f}** |")
    print(
        f"\nrbcl's calls are {share:.0%} of the check by libsodium's public functions in "
        f"the median round (rounds: {', '.join(f'{r[0]:.0%}' for r in rounds)}); the "
        f"compiled calls are {compiled_alone / compiled:.0%} of the check as served, which "
        f"costs {compiled / whole:.2f} of the other"
    )


if __name__ == "__main__":
    main()
