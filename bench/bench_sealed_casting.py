#!/usr/bin/env python
"""Ballots per second through the service layer: plaintext secret ballots against sealed
(encrypted) ones, in the same run, on a fresh SQLite database.

    .venv/bin/python bench/bench_sealed_casting.py [--members 300]

Each ballot is a batch of one (the web form's path): ``voting.services.cast_ballot`` for
the plaintext secret poll, ``voting.encrypted.cast_sealed`` for the sealed one (its proof
check included; the encryption is the browser's and is done before the clock starts).
Wall-clock time on one thread; the target is sealed >= 50 % of plaintext ballots/s.
"""

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("BESLUIT_DATA_DIR", tempfile.mkdtemp(prefix="bench-sealed-"))
os.environ.setdefault("BESLUIT_SECRET_KEY", "bench-" + "x" * 60)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "besluit.settings")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--members", type=int, default=300)
    args = ap.parse_args()
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    make_password("x")
    call_command("migrate", verbosity=0)

    from besluit.associations.models import Role
    from besluit.voting import encrypted
    from besluit.voting import services as voting
    from tests import factories
    from tests.voting import sealedkit

    n = args.members
    association = factories.make_association(n, slug="bench")
    meeting = factories.make_meeting(association)
    chair = factories.make_user("voorzitter", association, Role.Kind.CHAIR)
    reps = [
        (
            factories.make_user(
                f"r{i}", association, Role.Kind.REPRESENTATIVE,
                member=factories.member(association, i),
            ),
            factories.member(association, i),
        )
        for i in range(n)
    ]  # fmt: skip
    plain = factories.open_poll(chair, meeting, is_secret=True, title="plaintext")
    start = time.perf_counter()
    for user, _ in reps:
        voting.cast_ballot(actor=user, poll=plain, option_key="option-1")
    t_plain = time.perf_counter() - start

    other = factories.make_meeting(association)
    users = [factories.make_user(f"t{i}", association, Role.Kind.BOARD) for i in range(3)]
    sealedkit.ceremony(chair, other, users, 2)
    sealed = factories.open_poll(chair, other, is_secret=True, title="sealed")
    ready = [(u, sealedkit.seal(sealed, m, i % 3)) for i, (u, m) in enumerate(reps)]
    start = time.perf_counter()
    for user, (data, key) in ready:
        encrypted.cast_sealed(
            sealed.pk, encrypted.SealedRequest(user_id=user.pk, ballot=data, request_key=key)
        )
    t_sealed = time.perf_counter() - start
    print(f"load {os.getloadavg()[0]:.1f}, {n} ballots each, SQLite, one thread")
    print()
    print("| path | ballots/s | per ballot | ratio |")
    print("|---|---:|---:|---:|")
    print(
        f"| plaintext secret (cast_ballot) | {n / t_plain:.0f} | {t_plain / n * 1000:.1f} ms | 1 |"
    )
    print(
        f"| sealed (cast_sealed, proof checked) | {n / t_sealed:.0f} | "
        f"{t_sealed / n * 1000:.1f} ms | {t_plain / t_sealed:.2f} (target >= 0.5) |"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
