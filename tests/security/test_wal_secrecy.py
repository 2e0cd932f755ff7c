"""The audit's attack on the data folder, repeated: read the SQLite database and its WAL
after a secret poll and try to link each member to a choice.

The WAL holds the page images of each committed transaction in order. The attacker
rebuilds the database as it was after every commit (base file + frames up to that
commit), diffs consecutive states, and pairs the member whose participation row
appeared in a commit with whatever else that commit changed. Against the plaintext
secret poll of old (running totals per option) that recovered every member's choice;
that path is gone (a secret poll opens only with trustees and takes only encrypted
ballots), and the sealed path gives the attacker nothing: a commit that adds a
member's participation otherwise adds a ciphertext and a log leaf, and no state ever
holds a total, an option or a time that differs by choice.
"""

import sqlite3
import subprocess
import tempfile
from pathlib import Path

import pytest
from django.db import connection

from besluit.associations.models import Role
from besluit.errors import ValidationFailed
from besluit.voting import services as voting
from besluit.voting import trustees as voting_trustees
from besluit.voting.models import Ballot, SecretTally
from besluit.voting.trustees import TrusteesNeeded
from tests import factories
from tests.voting import sealedkit

# SQLite's files only (not in the PostgreSQL pass: PostgreSQL has no WAL file per database).
pytestmark = [pytest.mark.django_db(transaction=True)]

CHOICES = ["for", "against", "for", "abstain", "against", "for", "for", "against"]


def _read_live(path: str) -> bytes:
    """A file of the live test database, read by another process. Not ``open()`` here:
    closing any descriptor of a file drops every POSIX lock this process holds on it,
    SQLite's included; another process (a server a later test starts) could then take
    the database for its own, check it out of WAL mode at its close and delete the WAL
    and shared-memory files under this process's connections ("disk I/O error")."""
    return subprocess.run(["cat", path], capture_output=True, check=True).stdout


def _files() -> tuple[bytes, bytes]:
    name = connection.settings_dict["NAME"]
    return _read_live(name), _read_live(f"{name}-wal")


def _states(db: bytes, wal: bytes):
    """The database file after each commit in the WAL (valid frames only)."""
    page = int.from_bytes(wal[8:12], "big")
    salt, pages, off = wal[16:24], {}, 32
    while off + 24 + page <= len(wal):
        header = wal[off : off + 24]
        if header[8:16] != salt:
            break
        pages[int.from_bytes(header[:4], "big")] = wal[off + 24 : off + 24 + page]
        off += 24 + page
        if size := int.from_bytes(header[4:8], "big"):
            image = bytearray(db[: size * page].ljust(size * page, b"\0"))
            for number, data in pages.items():
                if number <= size:
                    image[(number - 1) * page : number * page] = data
            image[18:20] = b"\x01\x01"  # a rollback-journal file: opened without a WAL
            yield bytes(image)


def _tables(image: bytes, folder: Path) -> dict[str, set[tuple]]:
    """Every table's rows, each row a tuple of (column, value) pairs."""
    path = folder / "state.sqlite3"
    path.write_bytes(image)
    db = sqlite3.connect(path)
    try:
        names = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        out = {}
        for n in names:
            cursor = db.execute(f'SELECT * FROM "{n}"')
            cols = [d[0] for d in cursor.description]
            out[n] = {tuple(zip(cols, row, strict=True)) for row in cursor}
        return out
    finally:
        db.close()


def _value(row: tuple, column: str):
    return dict(row)[column]


def _attack(poll_pk: int, options: dict[int, str]) -> tuple[dict[int, str], set[str]]:
    """Member id -> choice, as the audit recovered it; and every table a ballot touched."""
    db, wal = _files()
    linked: dict[int, str] = {}
    touched: set[str] = set()
    with tempfile.TemporaryDirectory() as folder:
        before = None
        for image in _states(db, wal):
            now = _tables(image, Path(folder))
            if before is not None:
                voted = now.get("voting_ballot", set()) - before.get("voting_ballot", set())
                if voted:
                    touched |= {t for t in now if now[t] != before.get(t)}
                grew = {
                    _value(r, "option_id")  # the tally row that changed with the ballot
                    for r in now.get("voting_secrettally", set())
                    - before.get("voting_secrettally", set())
                    if _value(r, "poll_id") == poll_pk
                }
                if len(voted) == 1 and len(grew) == 1:
                    linked[_value(voted.pop(), "member_id")] = options[grew.pop()]
            before = now
    return linked, touched


@pytest.fixture
def wal_kept():
    """Keep every frame in the WAL (no automatic checkpoint): the attacker's best case."""
    with connection.cursor() as cursor:
        assert connection.vendor == "sqlite", "the WAL read here is SQLite's"
        cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        cursor.execute("PRAGMA wal_autocheckpoint=0")
    yield
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA wal_autocheckpoint=1000")


def _setting():
    association = factories.make_association(12)
    meeting = factories.make_meeting(association)
    chair = factories.make_user("voorzitter", association, Role.Kind.CHAIR)
    reps = [
        (
            factories.make_user(
                f"r{i}",
                association,
                Role.Kind.REPRESENTATIVE,
                member=factories.member(association, i),
            ),
            factories.member(association, i),
        )
        for i in range(len(CHOICES))
    ]
    return association, meeting, chair, reps


def test_the_plaintext_secret_path_the_attack_read_is_gone(wal_kept):
    """The audit's attack linked 8 of 8 voters of a plaintext secret poll (running totals
    per ballot). Such a poll cannot open any more, and no plaintext secret ballot is
    taken: there is nothing of that kind for the attack to read."""
    _, meeting, chair, reps = _setting()
    poll = voting.do_create_poll(
        actor=chair,
        meeting=meeting,
        subject="proposal",
        proposal=factories.make_proposal(meeting),
        is_secret=True,
    )
    with pytest.raises(TrusteesNeeded, match="stembeheerders"):
        voting.do_open_poll(actor=chair, poll=poll)
    poll.refresh_from_db()
    assert poll.status == "draft" and not SecretTally.objects.filter(poll=poll).exists()
    factories.trustees_for(chair, meeting)
    poll = voting.do_open_poll(actor=chair, poll=poll)
    for (user, _), choice in zip(reps, CHOICES, strict=True):
        with pytest.raises(ValidationFailed, match="versleutelde"):
            voting.cast_ballot(actor=user, poll=poll, option_key=choice)
    assert not Ballot.objects.filter(poll=poll).exists()
    assert not SecretTally.objects.filter(poll=poll).exists()
    linked, _ = _attack(poll.pk, {o.pk: o.key for o in poll.options.all()})
    assert linked == {}


def test_the_attack_finds_nothing_in_a_sealed_poll(wal_kept):
    association, meeting, chair, reps = _setting()
    trustees_ = [factories.make_user(f"t{i}", association, Role.Kind.BOARD) for i in range(3)]
    _, keepers = sealedkit.ceremony(chair, meeting, trustees_, 2)
    poll = sealedkit.secret_poll(chair, meeting)
    keys = [o.key for o in poll.options.all()]
    for (user, member), choice in zip(reps, CHOICES, strict=True):
        sealedkit.vote(poll, user, member, keys.index(choice))
    poll = voting.do_close_poll(actor=chair, poll=poll)
    for keeper, user in zip(keepers[:2], trustees_[:2], strict=True):
        w, c = keeper.tally_share(poll)
        poll = voting_trustees.do_submit_tally_share(actor=user, poll=poll, weights=w, counts=c)
    assert poll.outcome.option("for").members == 4  # decided, from the trustees' shares

    options = {o.pk: o.key for o in poll.options.all()}
    linked, touched = _attack(poll.pk, options)
    assert linked == {}
    # What a ballot's commit changes: participation, the sealed ballot, its log leaf and
    # the log's state. Nothing that depends on the choice in the clear.
    # (sqlite_sequence: the highest id of participation and leaves, random and counted.)
    assert touched == {
        "voting_ballot",
        "voting_sealedballot",
        "voting_logleaf",
        "voting_polllog",
        "sqlite_sequence",
    }

    # No state in the files holds a choice next to a member: participation rows carry no
    # option and one time for all; there are no running totals for the poll.
    db, wal = _files()
    with tempfile.TemporaryDirectory() as folder:
        for image in _states(db, wal):
            tables = _tables(image, Path(folder))
            rows = [r for r in tables["voting_ballot"] if _value(r, "poll_id") == poll.pk]
            assert {_value(r, "option_id") for r in rows} <= {None}
            assert len({_value(r, "cast_at") for r in rows}) <= 1
            tally = [r for r in tables["voting_secrettally"] if _value(r, "poll_id") == poll.pk]
            assert tally == []
