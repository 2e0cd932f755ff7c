"""An election in Popolo (https://www.popoloproject.com/specs/), for its own download
and for the association's open-data export (opendata.popolo).

- the body (board or committee) is an ``organization`` whose parent is the association;
- each closed round is a ``vote_event`` (classification ``election``, in
  ``elections[].vote_events``): ``counts`` per candidate are the round's first count
  (members as ``value``, their weight as ``weight``; a ranked ballot counts for its
  first preference), and for a named election only, ``votes`` per member (``option``
  the first choice, ``choices`` the whole ballot, best first);
- each elected person is a ``membership`` of the body with the term;
- ``election`` says the rest Popolo has no words for: the rule, seats, term, every
  count of every round (votes per candidate, quota, exhausted), who was elected, the
  lot's seed, and where the signed record is.

Member codes, candidate names and numbers only: never an account, never a secret choice.
"""

import hashlib
from decimal import Decimal
from typing import Any

from .models import Election, Round
from .publish import bundle_bytes
from .services.rounds import round_ballots

RULES = {
    "two_round": "majority, second round between the top two",
    "approval": "approval voting, up to N approvals",
    "ranked": "instant run-off (one seat) or Meek STV (several seats), 9-decimal fixed point",
}


def body_id(slug: str, election: Election) -> str:
    return f"{slug}/bodies/{election.body_id}"


def election_id(slug: str, election: Election) -> str:
    return f"{slug}/elections/{election.public_id}"


def _when(value) -> str | None:
    return value.isoformat() if value else None


def _first(choice) -> str | None:
    """The candidate a ballot counts for in the first count (approval: handled apart)."""
    if isinstance(choice, list):
        return choice[0] if choice else None
    return choice or None


def _counts(election: Election, ballots: list[dict], names: dict[str, str], candidates):
    members: dict[str, int] = dict.fromkeys(candidates, 0)
    weight: dict[str, Decimal] = dict.fromkeys(candidates, Decimal(0))
    for b in ballots:
        n = int(b.get("members", 1))
        w = Decimal(b["weight"])
        chosen = b["choice"] if election.method == "approval" else [_first(b["choice"])]
        for key in chosen:
            if key in members:
                members[key] += n
                weight[key] += w
    return [
        {"option": names.get(k, k), "value": members[k], "weight": weight[k]} for k in candidates
    ]


def _round_event(slug: str, election: Election, rnd: Round, names: dict[str, str]) -> dict:
    result = rnd.result or {}
    ballots = [] if rnd.unopposed else round_ballots(rnd)
    event: dict[str, Any] = {
        "id": f"{election_id(slug, election)}/rounds/{rnd.number}",
        "identifier": f"{election.title} ({rnd.number})",
        "classification": "election",
        "motion_id": election_id(slug, election),
        "legislative_session_id": f"{slug}/meetings/{election.meeting_id}",
        "organization_id": body_id(slug, election),
        "start_date": _when(rnd.opened_at),
        "end_date": _when(rnd.closed_at),
        "result": result.get("outcome"),
        "secret": election.is_secret,
        "counts": _counts(election, ballots, names, rnd.candidates),
    }
    if not election.is_secret and not rnd.unopposed:
        who = dict(rnd.ballots.values_list("member__code", "member__name"))
        event["votes"] = [
            {
                "vote_event_id": event["id"],
                "voter_id": b["member"],
                "voter": {"id": b["member"], "name": who.get(b["member"], "")},
                "option": names.get(_first(b["choice"]) or "")
                if election.method != "approval"
                else None,
                "choices": [
                    names.get(k, k)
                    for k in (b["choice"] if isinstance(b["choice"], list) else [b["choice"]])
                    if k
                ],
                "weight": Decimal(b["weight"]),
            }
            for b in sorted(ballots, key=lambda b: b["member"])
        ]
    return event


def _count_rounds(rnd: Round, names: dict[str, str]) -> list[dict]:
    """Every count of a round's result (an STV round has several), with names."""
    out = []
    for count in (rnd.result or {}).get("rounds", []):
        out.append(
            {
                "number": count["number"],
                "votes": [
                    {"candidate": names.get(k, k), "weight": Decimal(v)} for k, v in count["votes"]
                ],
                "quota": None if count.get("quota") is None else Decimal(count["quota"]),
                "exhausted": Decimal(count.get("exhausted") or 0),
                "elected": [names.get(k, k) for k in count.get("elected", [])],
                "excluded": [names.get(k, k) for k in count.get("excluded", [])],
            }
        )
    return out


def organization(slug: str, body) -> dict[str, Any]:
    return {
        "id": f"{slug}/bodies/{body.pk}",
        "name": body.name,
        "classification": body.kind,
        "parent_id": slug,
    }


def membership(slug: str, m) -> dict[str, Any]:
    return {
        "id": f"{slug}/memberships/{m.pk}",
        "person": {"name": m.name},
        "organization_id": f"{slug}/bodies/{m.body_id}",
        "role": "member",
        "label": m.function or None,
        "on_behalf_of_id": m.member.code if m.member else None,
        "start_date": m.starts_on.isoformat(),
        "end_date": m.ends_on.isoformat(),
    }


def parts(election: Election, *, record_url: str | None = None) -> dict[str, list[dict]]:
    """The election's Popolo objects: its body (``organizations``), the elected
    (``memberships``) and ``elections`` (one), which holds its rounds as Popolo
    ``vote_events``: apart from the polls' vote events, whose tables and constraints
    (a motion passes or fails) do not fit an election."""
    association = election.meeting.association
    slug = association.slug
    names = {c.key: c.name for c in election.candidacies.all()}
    rounds = list(election.rounds.filter(status=Round.Status.CLOSED).order_by("number"))
    for rnd in rounds:
        rnd.election = election
    events = [_round_event(slug, election, rnd, names) for rnd in rounds]
    seats = list(election.memberships.select_related("member").order_by("name"))
    last = rounds[-1].result if rounds else {}
    decided = election.status == Election.Status.DECIDED
    described = {
        "id": election_id(slug, election),
        "title": election.title,
        "organization_id": body_id(slug, election),
        "legislative_session_id": f"{slug}/meetings/{election.meeting_id}",
        "seats": election.seats,
        "method": election.method,
        "rule": RULES[election.method],
        "max_approvals": election.max_approvals,
        "secret": election.is_secret,
        "status": election.status,
        "term": {
            "start_date": election.term_starts.isoformat(),
            "end_date": election.term_ends.isoformat(),
        },
        "decided_at": _when(election.decided_at),
        "elected": [names.get(k, k) for k in (last or {}).get("elected", [])],
        "rounds": [
            {
                "number": rnd.number,
                "vote_event_id": event["id"],
                "unopposed": rnd.unopposed,
                "candidates": [names.get(k, k) for k in rnd.candidates],
                "outcome": (rnd.result or {}).get("outcome"),
                "lot_nonce": rnd.nonce or None,
                "lot_seed": rnd.seed or None,
                "log_root": (rnd.log_closing or {}).get("checkpoint", {}).get("root"),
                "counts": _count_rounds(rnd, names),
            }
            for rnd, event in zip(rounds, events, strict=True)
        ],
        # The signed record (decided elections): where to get it and its hash, so that a
        # copy from elsewhere can be recognised as the same bytes.
        "record": record_url if decided else None,
        "record_sha256": hashlib.sha256(bundle_bytes(election)).hexdigest() if decided else None,
    }
    described["vote_events"] = events
    return {
        "organizations": [organization(slug, election.body)],
        "memberships": [membership(slug, m) for m in seats],
        "elections": [described],
    }
