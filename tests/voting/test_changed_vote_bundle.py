"""A closed poll in which a vote was changed publishes a bundle that `besluit verify` accepts.

It used to answer an HTML 500 (BundleError "ballot id ... also at leaf 1"). A bundle
that does not verify, or any other failure, is a problem+json 500 that is logged.
"""

import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied

from besluit import verify
from besluit.voting import selectors as voting_selectors
from besluit.voting import services as voting
from besluit.voting.models import LogLeaf, PollLog
from tests import factories

pytestmark = pytest.mark.django_db
BESLUIT = Path(sys.executable).parent / "besluit"


@pytest.fixture
def changed_poll(chair, meeting, representative):
    poll = voting.do_create_poll(
        actor=chair,
        meeting=meeting,
        subject="proposal",
        proposal=factories.make_proposal(meeting),
        allow_change=True,
    )
    voting.do_open_poll(actor=chair, poll=poll)
    first = voting.cast_ballot(actor=representative, poll=poll, option_key="for", request_key="k1")
    later = voting.cast_ballot(
        actor=representative, poll=poll, option_key="against", request_key="k2"
    )
    assert later.changed and later.ballot_id == first.ballot_id
    voting.do_close_poll(actor=chair, poll=poll)
    return poll, first.log_receipt, later.log_receipt


def test_a_changed_vote_gives_a_bundle_that_besluit_verify_accepts(
    client, chair, changed_poll, tmp_path
):
    poll, earlier, later = changed_poll
    client.force_login(chair)
    response = client.get(f"/api/v1/polls/{poll.public_id}/bundle")
    assert response.status_code == 200, response.content[:300]
    bundle = json.loads(response.content)
    assert bundle["poll"]["changes"] is True
    assert list(bundle["choices"].values()) == ["against"]
    path = tmp_path / "bundle.json"
    path.write_bytes(response.content)
    assert verify.main([str(path)]) == 0  # the Django-free verifier
    for receipt, changed in ((earlier, True), (later, False)):
        receipt_path = tmp_path / "receipt.json"
        receipt_path.write_text(json.dumps(receipt))
        run = subprocess.run(
            [str(BESLUIT), "verify", str(path), "--receipt", str(receipt_path)],
            capture_output=True,
            text=True,
            env=os.environ,
            timeout=120,
        )
        assert run.returncode == 0, run.stdout + run.stderr
        assert f"OK: receipt {receipt['ballot']} is leaf {receipt['index']}" in run.stdout
        assert ("the vote was changed later" in run.stdout) is changed


def test_a_bundle_that_does_not_verify_is_a_logged_problem_not_an_html_500(
    client, chair, changed_poll, caplog
):
    poll, _earlier, _later = changed_poll
    leaf = LogLeaf.objects.get(poll=poll, index=1)
    leaf.data = leaf.data.replace('"for"', '"abstain"')  # a rewritten log
    leaf.save()
    client.force_login(chair)
    with caplog.at_level(logging.ERROR, logger="besluit.api"):
        response = client.get(f"/api/v1/polls/{poll.public_id}/bundle")
    assert response.status_code == 500
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["type"].endswith("/bundle-invalid")
    assert any("poll bundle not published" in r.getMessage() for r in caplog.records)
    assert PollLog.objects.get(poll=poll).bundle == ""  # nothing that fails is published


def test_an_unexpected_error_in_the_results_is_problem_json(
    client, chair, changed_poll, monkeypatch
):
    poll, _earlier, _later = changed_poll

    def broken(poll):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(voting_selectors, "named_votes", broken)
    client.raise_request_exception = False
    client.force_login(chair)
    response = client.get(f"/api/v1/polls/{poll.public_id}/results")
    assert response.status_code == 500
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["type"].endswith("/server-error")


def test_django_client_errors_in_the_api_keep_their_status(
    client, chair, changed_poll, monkeypatch
):
    poll, _earlier, _later = changed_poll

    def refuse(poll):
        raise DjangoPermissionDenied("not for you")

    monkeypatch.setattr(voting_selectors, "named_votes", refuse)
    client.force_login(chair)
    response = client.get(f"/api/v1/polls/{poll.public_id}/results")
    assert response.status_code == 403
    assert response["Content-Type"] == "application/problem+json"
