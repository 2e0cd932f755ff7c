"""Meek STV against the stv-rs v0.5.1 transcripts (9-decimal fixed point).

Needs ``../shared/data/stv-meek`` beside the checkout (as in CI); the hand-worked
cases and properties in ``test_elections.py`` need nothing outside the repository.
"""

from __future__ import annotations

import pytest

from besluit.core.elections import MeekResult, count_meek

from .blt import STV_MEEK, Action, read_blt, read_transcript

CASES = [
    "vegetables",
    "ties/tie_break_explicit",
    "ties/tie_break_implicit",
    "negative_surplus/below_quota",
    "random/rand_2x10",
    "random/rand_5x4",
]


def _count(case: str) -> tuple[MeekResult, list[Action], dict[str, str]]:
    blt = read_blt(STV_MEEK / "ballots" / f"{case}.blt")
    result = count_meek(blt.candidates, blt.seats, blt.ballots, tie_breaker=blt.tie_breaker)
    actions = read_transcript(STV_MEEK / "meek" / f"{case}.fixed9.log")
    return result, actions, blt.names


def _votes(round_, names: dict[str, str]) -> dict[str, object]:
    return {names[c]: v for c, v in round_.votes}


def _assert_shown(action: Action, votes: dict[str, object]) -> None:
    """Every count the transcript prints equals ours, to the last decimal."""
    assert action.votes, action.text
    assert {name: votes[name] for name in action.votes} == action.votes, action.text


@pytest.mark.parametrize("case", CASES)
def test_meek_reproduces_the_stv_rs_transcript_round_by_round(case: str) -> None:
    result, actions, names = _count(case)
    rounds = {r.number: r for r in result.rounds}

    begin = actions[0]
    assert begin.text == "Begin Count"
    _assert_shown(begin, _votes(rounds[0], names))
    assert rounds[0].quota == begin.stats["Quota"]

    final = result.rounds[-1] if result.rounds[-1].reason == "final" else None
    remaining: list[str] = []
    for action in actions[1:]:
        if action.text.startswith(("Elect remaining: ", "Defeat remaining: ")):
            remaining.append(action.text)
            continue
        if action.text == "Count Complete":
            last = final or result.rounds[-1]
            _assert_shown(action, _votes(last, names))
            assert (last.quota, last.exhausted, last.surplus) == (
                action.stats["Quota"],
                action.stats["Residual"],
                action.stats["Surplus"],
            )
            continue
        ours = rounds[action.round]
        if action.text.startswith("Elect: "):
            assert action.text.removeprefix("Elect: ") in {names[c] for c in ours.elected}
            _assert_shown(action, _votes(ours, names))
        elif action.text.startswith("Iterate ("):
            assert action.text == f"Iterate ({ours.reason})"
            assert (ours.quota, ours.exhausted, ours.surplus) == (
                action.stats["Quota"],
                action.stats["Residual"],
                action.stats["Surplus"],
            )
        elif action.text.startswith("Break tie (defeat): "):
            tied = action.text.removeprefix("Break tie (defeat): [").split("] -> ")[0]
            assert ours.tie is not None
            assert sorted(names[c] for c in ours.tie.tied) == sorted(tied.split(", "))
        elif action.text.startswith("Defeat ("):
            assert [names[c] for c in ours.excluded] == [action.text.split("): ")[1]]
            _assert_shown(action, _votes(ours, names))
        else:
            raise AssertionError(f"unexpected action {action.text}")

    elected_in_transcript = [
        a.text.split(": ", 1)[1] for a in actions if a.text.startswith("Elect: ")
    ]
    elected_in_rounds = [names[c] for r in result.rounds if r.reason != "final" for c in r.elected]
    assert elected_in_rounds == elected_in_transcript
    ours_remaining = [f"Elect remaining: {names[c]}" for c in (final.elected if final else ())]
    ours_remaining += [f"Defeat remaining: {names[c]}" for c in (final.excluded if final else ())]
    assert sorted(ours_remaining) == sorted(remaining)
    defeats = [a.text.split("): ")[1] for a in actions if a.text.startswith("Defeat (")]
    assert [names[c] for c in result.excluded] == defeats + [
        r.split(": ")[1] for r in remaining if r.startswith("Defeat")
    ]
