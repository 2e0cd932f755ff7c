"""Weights, totals and shares are exact decimals where they are summed, stored and published.

SQLite adds a decimal column in floating point: participation came out as
"13442.5400000000", secret totals were stored as REAL (98.88999999999999), and the
Popolo share was a JSON double that differed from the results API in its last digits.
"""

import csv
import io
import json
import re
from decimal import Decimal

import pytest
from django.db import connection

from besluit.associations.models import Role
from besluit.associations.services import do_override_weight
from besluit.core.voting import share_text
from besluit.meetings.models import Meeting
from besluit.meetings.services import do_set_meeting_status
from besluit.opendata import formats
from besluit.voting import selectors, services
from besluit.voting.models import Poll, SealedBallot, SecretTally
from tests import factories

pytestmark = [pytest.mark.dbbackend, pytest.mark.django_db]
WEIGHTS = [Decimal("0.1"), Decimal("0.2"), Decimal("13442.24")]


@pytest.fixture
def voters(association):
    people = []
    for i, weight in enumerate(WEIGHTS):
        member = factories.member(association, i)
        do_override_weight(actor=None, member=member, weight=weight, reason="test of exactness")
        people.append(
            factories.make_user(f"rep{i}", association, Role.Kind.REPRESENTATIVE, member=member)
        )
    return people


def open_poll(chair, meeting, **kwargs):
    poll = services.do_create_poll(
        actor=chair,
        meeting=meeting,
        subject=Poll.Subject.PROPOSAL,
        proposal=factories.make_proposal(meeting),
        **kwargs,
    )
    if poll.is_secret:
        factories.trustees_for(chair, meeting)
    return services.do_open_poll(actor=chair, poll=poll)


def test_participation_weight_is_summed_exactly(chair, meeting, voters):
    poll = open_poll(chair, meeting)
    for rep in voters:
        services.cast_ballot(actor=rep, poll=poll, option_key="for")
    voted = selectors.participation(poll).voted_weight
    assert voted == Decimal("13442.54")
    assert str(voted) == "13442.540000"  # the register's 6 decimals, no float artefacts


def test_secret_totals_are_decrypted_exactly(chair, meeting, voters):
    poll = open_poll(chair, meeting, is_secret=True)
    for rep in voters:
        factories.sealed_vote(poll, rep, "for")
    # Nothing is counted in the clear while the poll is open (and no REAL column later).
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {SecretTally._meta.db_table} WHERE poll_id = %s", [poll.pk])
        assert cursor.fetchall() == []
        cursor.execute(
            f"SELECT weight_units FROM {SealedBallot._meta.db_table} WHERE poll_id = %s", [poll.pk]
        )
        assert not any(isinstance(v, float) for (v,) in cursor.fetchall())
    result = factories.close_secret(chair, poll).outcome
    assert result.option("for").weight == Decimal("13442.54")
    # Decrypted in units of the weights' own decimals (two here): exact, no float.
    assert str(result.option("for").weight) == "13442.54"


def test_popolo_share_is_the_results_api_share_string(client, association, chair, meeting):
    do_set_meeting_status(actor=chair, meeting=meeting, status=Meeting.Status.CONVENED)
    poll = open_poll(chair, meeting)
    choices = ["for", "against", "for", "against", "for"]
    for i, choice in enumerate(choices):
        rep = factories.make_user(
            f"r{i}", association, Role.Kind.REPRESENTATIVE, member=factories.member(association, i)
        )
        services.cast_ballot(actor=rep, poll=poll, option_key=choice)
    services.do_close_poll(actor=chair, poll=poll)
    client.force_login(chair)
    api = client.get(f"/api/v1/polls/{poll.public_id}/results").json()
    api_share = {o["key"]: o["share"] for o in api["options"]}
    assert len(api_share["for"].split(".")[1]) > 15  # more digits than a double keeps
    assert all(re.fullmatch(r"\d+(\.\d+)?", v) for v in api_share.values() if v is not None)

    export = json.loads(client.get(f"/open/{association.slug}/popolo.json").content)
    (event,) = export["vote_events"]
    assert {c["key"]: c["share"] for c in event["counts"]} == api_share
    rows = csv.DictReader(io.StringIO(client.get(f"/open/{association.slug}/counts.csv").text))
    assert {r["key"]: r["share"] or None for r in rows if r["group_id"] == ""} == api_share


def test_popolo_weights_are_exact_json_numbers_or_refused():
    data = {"w": [Decimal("13442.240000"), Decimal("0.100000"), Decimal("123456789.123456")]}
    assert formats.to_json(data, indent=None) == b'{"w": [13442.24, 0.1, 123456789.123456]}'
    with pytest.raises(ValueError, match="cannot be written exactly"):
        formats.to_json({"w": Decimal("1234567890123.123456")})  # 19 digits: a double rounds


def test_a_share_is_written_in_plain_notation():
    assert share_text(Decimal(0) / Decimal("3.000000")) == "0"  # str() says 0E+6
    assert share_text(Decimal("0.010000") / Decimal("18000.000000")) == (
        "0.0000005555555555555555555555555556"  # str() says 5.555...E-7
    )
    assert share_text(None) is None
