"""What an election publishes: the signed record (bundle) and Popolo.

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


def _when(value) -> str | None:
    return value.isoformat() if value else None


def popolo(election: Election) -> dict:
    """Popolo: the body (organization), a ``vote_event`` per closed round (counts per
    candidate in the round's first count, in weight; ``votes`` per member for a named
    election only) and a ``membership`` per elected person with the term."""
    association = election.meeting.association
    slug = association.slug
    org_id = f"{slug}/bodies/{election.body_id}"
    names = {c.key: c for c in election.candidacies.all()}
    events = []
    for rnd in election.rounds.filter(status=Round.Status.CLOSED).order_by("number"):
        result = rnd.result or {}
        first = result.get("rounds", [{}])[0] if result.get("rounds") else {}
        event = {
            "id": f"{slug}/election-rounds/{election.public_id}/{rnd.number}",
            "identifier": f"{election.title} ({rnd.number})",
            "motion_id": f"{slug}/elections/{election.public_id}",
            "legislative_session_id": f"{slug}/meetings/{election.meeting_id}",
            "organization_id": org_id,
            "start_date": _when(rnd.opened_at),
            "end_date": _when(rnd.closed_at),
            "result": result.get("outcome"),
            "counts": [
                {"option": names[k].name if k in names else k, "weight": v}
                for k, v in first.get("votes", [])
            ],
            "elected": [names[k].name for k in result.get("elected", []) if k in names],
            "lot_seed": rnd.seed or None,
        }
        if not election.is_secret:
            weights = dict(rnd.register.values_list("member_id", "weight"))
            event["votes"] = [
                {
                    "voter_id": b.member.code,
                    "option": b.choice["choice"],
                    "weight": votelog.canonical_decimal(weights[b.member_id]),
                }
                for b in rnd.ballots.select_related("member")
            ]
        events.append(event)
    memberships = [
        {
            "id": f"{slug}/memberships/{m.pk}",
            "person": {"name": m.name},
            "organization_id": org_id,
            "role": "member",
            "label": m.function,
            "on_behalf_of_id": m.member.code if m.member else None,
            "start_date": m.starts_on.isoformat(),
            "end_date": m.ends_on.isoformat(),
        }
        for m in election.memberships.select_related("member").order_by("name")
    ]
    return {
        "organizations": [
            {"id": org_id, "name": election.body.name, "classification": election.body.kind}
        ],
        "vote_events": events,
        "memberships": memberships,
    }
