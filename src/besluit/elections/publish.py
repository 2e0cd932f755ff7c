"""What an election publishes: the signed record (bundle); Popolo is in elections.popolo.

The bundle is built once, when first asked for after the decision, and then served
as stored (like a poll's). Its rules are in core.elections.record.
"""

from besluit.core import votelog
from besluit.core.elections import record as core_record
from besluit.voting import log as vote_log

from . import log as election_log
from .models import Election, Round
from .services.rounds import round_ballots


def election_json(election: Election) -> dict:
    return {
        "id": str(election.public_id),
        "title": election.title,
        "body": election.body.name,
        "seats": election.seats,
        "method": election.method,
        "max_approvals": election.max_approvals,
        "secret": election.is_secret,
        "term": {
            "starts": election.term_starts.isoformat(),
            "ends": election.term_ends.isoformat(),
        },
        "candidates": [
            {"key": c.key, "name": c.name, "recommended": c.recommended}
            for c in election.candidacies.all()
            if c.stands
        ],
    }


def rounds_json(election: Election) -> list[dict]:
    out = []
    for rnd in election.rounds.filter(status=Round.Status.CLOSED).order_by("number"):
        rnd.election = election
        entry = {
            "number": rnd.number,
            "candidates": list(rnd.candidates),
            "unopposed": rnd.unopposed,
            "result": rnd.result,
        }
        if not rnd.unopposed:
            entry.update(nonce=rnd.nonce, seed=rnd.seed, ballots=round_ballots(rnd))
            if (log := election_log.log_json(rnd)) is not None:
                entry["log"] = log
        else:
            entry["ballots"] = []
        out.append(entry)
    return out


def bundle_bytes(election: Election) -> bytes:
    """The published record of a decided election, built once and then served as stored."""
    if election.bundle:
        return election.bundle.encode()
    bundle = core_record.build_election_bundle(
        election=election_json(election),
        rounds=rounds_json(election),
        private_key=vote_log.private_key(),
    )
    data = votelog.canonical_json(bundle) + b"\n"
    Election.objects.filter(pk=election.pk, bundle="").update(bundle=data.decode())
    return data
