"""`besluit backup` and `besluit restore`: a consistent snapshot, taken while ballots
come in, restores to a database where every poll bundle still verifies."""

import io
import tarfile
import threading
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection

from besluit import verify
from besluit.associations.models import Role
from besluit.meetings import services as meetings
from besluit.meetings.models import Attachment
from besluit.voting import log as vote_log
from besluit.voting import services as voting
from besluit.voting.models import Ballot, LogLeaf, Poll, PollLog
from tests import factories

pytestmark = [pytest.mark.dbbackend, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_backup_during_ballots_restores_and_every_bundle_verifies(tmp_path, settings):
    association = factories.make_association(40, slug="vvg")
    meeting = factories.make_meeting(association)
    chair = factories.make_user("voorzitter", association, Role.Kind.CHAIR)
    reps = [
        factories.make_user(
            f"r{i}", association, Role.Kind.REPRESENTATIVE, member=factories.member(association, i)
        )
        for i in range(40)
    ]
    meetings.do_add_attachment(
        actor=chair,
        agenda_item=meeting.agenda_items.first(),
        upload=SimpleUploadedFile("stuk.pdf", b"%PDF-1.7\n%%EOF\n"),
    )
    named, secret = (
        factories.open_poll(chair, meeting),
        factories.open_poll(chair, meeting, is_secret=True),
    )
    for i, rep in enumerate(reps[:10]):
        voting.cast_ballot(actor=rep, poll=named, option_key=("option-1", "option-2")[i % 2])
        factories.sealed_vote(secret, rep, "option-1")
    voting.do_close_poll(actor=chair, poll=named)
    factories.close_secret(chair, secret)
    published = {p.pk: vote_log.bundle_bytes(p) for p in Poll.objects.all()}
    live = factories.open_poll(chair, meeting)  # open while the backup runs

    # Ballots keep coming in on another connection while the snapshot is taken.
    started, acknowledged = threading.Event(), []

    def burst():
        try:
            for rep in reps[10:]:
                voting.cast_ballot(actor=rep, poll=live, option_key="option-1")
                acknowledged.append(rep.pk)
                started.set()
        finally:
            connection.close()

    writer = threading.Thread(target=burst)
    writer.start()
    started.wait(30)
    archive = tmp_path / "backup.tar.gz"
    call_command("backup", str(archive), stdout=io.StringIO())
    writer.join(60)
    assert len(acknowledged) == 30

    with tarfile.open(archive) as tar:
        names = set(tar.getnames())
    db_name = "database.sqlite3" if connection.vendor == "sqlite" else "database.pgdump"
    assert {"manifest.json", db_name, "signing-key.ed25519"} <= names
    assert any(n.startswith("media/") for n in names)

    # A database with content is not overwritten without --force.
    with pytest.raises(CommandError, match="not empty"):
        call_command("restore", str(archive), stdout=io.StringIO())

    # Lose everything; restore into the empty database.
    call_command("flush", interactive=False, verbosity=0)
    for f in Path(settings.MEDIA_ROOT).rglob("*"):
        if f.is_file():
            f.unlink()
    out = io.StringIO()
    call_command("restore", str(archive), stdout=out)
    assert "OK: 2 poll bundle(s) verified." in out.getvalue()

    # The closed polls publish byte for byte the same bundles, and `besluit verify` passes.
    for pk, data in published.items():
        assert vote_log.bundle_bytes(Poll.objects.get(pk=pk)) == data
        path = tmp_path / f"bundle-{pk}.json"
        path.write_bytes(data)
        assert (
            verify.main([str(path), "--key-id", vote_log.public_key_id()], out=io.StringIO()) == 0
        )
    attachment = Attachment.objects.get()
    assert attachment.file.read() == b"%PDF-1.7\n%%EOF\n"

    # The snapshot of the open poll is consistent: each ballot row has its log leaf and the
    # log's size matches, whichever ballots made it in before the snapshot.
    live = Poll.objects.get(pk=live.pk)
    ballots = Ballot.objects.filter(poll=live).count()
    leaves = LogLeaf.objects.filter(poll=live).count()
    assert leaves == ballots + 1 == PollLog.objects.get(poll=live).size
    voting.do_close_poll(actor=chair, poll=live)
    path = tmp_path / "live.json"
    path.write_bytes(vote_log.bundle_bytes(Poll.objects.get(pk=live.pk)))
    assert verify.main([str(path)], out=io.StringIO()) == 0
    print(
        f"backup during a burst: {ballots} of 30 ballots in the snapshot, log consistent; "
        f"3 bundles verify after restore"
    )


def test_restore_refuses_a_damaged_archive(tmp_path):
    factories.make_association(3, slug="klein")
    archive = tmp_path / "b.tar.gz"
    call_command("backup", str(archive), stdout=io.StringIO())
    damaged = tmp_path / "d.tar.gz"
    with tarfile.open(archive) as src, tarfile.open(damaged, "w:gz") as dst:
        for member in src.getmembers():
            data = src.extractfile(member).read()
            if member.name.startswith("database."):
                data = data[:-1] + bytes([data[-1] ^ 1])
            member.size = len(data)
            dst.addfile(member, io.BytesIO(data))
    with pytest.raises(CommandError, match="damaged"):
        call_command("restore", str(damaged), "--force", stdout=io.StringIO())
