"""The published bundle of an encrypted poll: `besluit verify` checks every ballot proof,
the weighted aggregate, every decryption share, the totals and the decision; a changed
byte anywhere fails, and a change re-signed with the installation's key (an operator
who holds it) is named precisely."""

import io
import json
import subprocess
import sys

import pytest

from besluit import verify
from besluit.associations.models import Role
from besluit.core import bundle as core_bundle
from besluit.core import sealedbundle
from besluit.core.bundle.form import sign_body
from besluit.voting import log as vote_log
from besluit.voting import services as voting
from besluit.voting import trustees
from tests import factories
from tests.core.test_bundle import SCRIPT, no_django  # noqa: F401  (a fixture)
from tests.voting import sealedkit

pytestmark = [pytest.mark.dbbackend, pytest.mark.django_db]


@pytest.fixture
def published(association, chair, meeting, tmp_path):
    users = [factories.make_user(f"t{i}", association, Role.Kind.BOARD) for i in range(3)]
    _, keepers = sealedkit.ceremony(chair, meeting, users, 2)
    poll = sealedkit.secret_poll(chair, meeting)
    for i, choice in enumerate([0, 1, 0, 2, 0]):
        member = factories.member(association, i)
        rep = factories.make_user(f"r{i}", association, Role.Kind.REPRESENTATIVE, member=member)
        sealedkit.vote(poll, rep, member, choice)
    poll = voting.do_close_poll(actor=chair, poll=poll)
    for keeper, user in ((keepers[0], users[0]), (keepers[2], users[2])):
        w, c = keeper.tally_share(poll)
        poll = trustees.do_submit_tally_share(actor=user, poll=poll, weights=w, counts=c)
    return vote_log.bundle_bytes(poll)


def _verify(data: bytes, tmp_path) -> tuple[int, str]:
    path = tmp_path / "bundle.json"
    path.write_bytes(data)
    out = io.StringIO()
    code = verify.main([str(path)], out=out, err=out)
    return code, out.getvalue()


def _resigned(data: bytes, change) -> bytes:
    bundle = json.loads(data)
    change(bundle)
    bundle.pop("signature")
    bundle["signature"] = sign_body(bundle, vote_log.private_key())
    return core_bundle.serialize_bundle(bundle)


def test_the_bundle_verifies_and_names_its_contents(published, tmp_path):
    code, out = _verify(published, tmp_path)
    assert code == 0, out
    assert "5 sealed ballots, 2 trustee shares" in out
    bundle = json.loads(published)
    assert bundle["format"] == sealedbundle.SEALED_FORMAT
    # No member next to a ballot: ballot leaves carry a binding, weight units, ciphertexts.
    for leaf in bundle["log"]["leaves"][1:-1]:
        assert set(leaf) == {"type", "poll", "tracker", "voter", "weight_units", "ballot"}


@pytest.mark.parametrize("at", [10, 500, 2000, 4000, -300, -10])
def test_any_flipped_byte_fails(published, tmp_path, at):
    data = bytearray(published)
    data[at] = ord("0") if data[at] != ord("0") else ord("1")
    code, out = _verify(bytes(data), tmp_path)
    assert code != 0, out


def _flip_hex(text: str, at: int) -> str:
    return text[:at] + ("0" if text[at] != "0" else "1") + text[at + 1 :]


def _ballot(b):
    leaf = b["log"]["leaves"][2]
    leaf["ballot"] = _flip_hex(leaf["ballot"], 300)


def _share(b):
    b["shares"][0]["weights"] = _flip_hex(b["shares"][0]["weights"], 100)


def _aggregate(b):
    b["tally"]["weighted"][0] = b["tally"]["weighted"][1]


def _commitment(b):
    b["election"]["commitments"][1] = b["election"]["commitments"][0]


def _totals(b):
    b["totals"]["options"][0]["members"] = 4


def _voters(b):
    b["voters"].pop()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (_ballot, "leaf 2"),
        (_share, "share of trustee 1"),
        (_aggregate, "weighted aggregate"),
        (_commitment, "election: trustee 2"),
        (_totals, "totals: the bundle's totals"),
        (_voters, "voters"),
    ],
)
def test_a_resigned_change_is_named(published, tmp_path, change, message):
    code, out = _verify(_resigned(published, change), tmp_path)
    assert code == 1
    assert message in out, out


def test_the_bundle_and_the_checkpoints_are_public(published, client, association):
    bundle = json.loads(published)
    poll_id = bundle["poll"]["id"]
    response = client.get(f"/open/{association.slug}/stemmingen/{poll_id}/bundel.json")
    assert response.status_code == 200 and response.content == published
    feed = client.get("/open/controlepunten.json").json()
    assert feed["key"]["key_id"] == bundle["key"]["key_id"]
    closing = bundle["log"]["checkpoints"][-1]
    assert closing in [c["signed"] for c in feed["checkpoints"]]
    atom = client.get("/open/controlepunten.atom")
    assert atom["Content-Type"].startswith("application/atom+xml")
    assert closing["signature"] in atom.content.decode()
    page = client.get("/open/").content.decode()
    assert bundle["key"]["key_id"] in page


def test_the_script_checks_a_sealed_bundle_without_django(published, tmp_path, no_django):  # noqa: F811
    env, marker = no_django
    path = tmp_path / "bundle.json"
    path.write_bytes(published)
    result = subprocess.run(
        [sys.executable, str(SCRIPT), str(path)],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "5 sealed ballots" in result.stdout
    assert not marker.exists(), "the verifier imported Django"
