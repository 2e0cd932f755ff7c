"""Readers for the BLT ballot format and stv-rs Meek transcripts (test helpers only).

The reference files live in ``../shared/data/stv-meek`` beside the checkout; they are
not copied into the repository.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from besluit.core.elections import OrderTieBreaker, RankedBallot

STV_MEEK = Path(__file__).parents[2].parent / "shared" / "data" / "stv-meek"


@dataclass
class Blt:
    candidates: tuple[str, ...]  # nicknames, withdrawn ones left out
    names: dict[str, str]  # nickname -> name
    seats: int
    ballots: list[RankedBallot]
    tie_breaker: OrderTieBreaker


def read_blt(path: Path) -> Blt:
    lines = [line.strip() for line in path.read_text().splitlines() if line.strip()]
    n, seats = (int(x) for x in lines[0].split())
    nicks = [str(i + 1) for i in range(n)]
    withdrawn: set[str] = set()
    tie: list[str] | None = None
    ballots: list[RankedBallot] = []
    i = 1
    while lines[i] != "0":
        line = lines[i]
        i += 1
        if line.startswith("["):
            word, *values = line.strip("[]").split()
            if word == "nick":
                nicks = values
            elif word == "withdrawn":
                withdrawn = set(values)
            elif word == "tie":
                tie = values
            continue
        weight, *groups = line.split()
        assert groups[-1] == "0", line
        ranking = []
        for group in groups[:-1]:
            kept = tuple(c for c in group.split("=") if c not in withdrawn)
            if kept:
                ranking.append(kept)
        if ranking:
            ballots.append(RankedBallot(Decimal(weight), tuple(ranking)))
    names = {nick: lines[i + 1 + k].strip('"') for k, nick in enumerate(nicks)}
    order = tuple(tie if tie is not None else nicks)
    return Blt(
        tuple(c for c in nicks if c not in withdrawn), names, seats, ballots, OrderTieBreaker(order)
    )


@dataclass
class Action:
    text: str
    round: int
    votes: dict[str, Decimal] = field(default_factory=dict)  # name -> votes
    stats: dict[str, Decimal] = field(default_factory=dict)  # Quota, Residual, Surplus…


_COUNT = re.compile(r"^\t(Elected|Hopeful|Defeated): +(.+) \((-?[0-9.]+)\)$")
_STAT = re.compile(r"^\t(Quota|Votes|Residual|Total|Surplus): (-?[0-9.]+)$")


def read_transcript(path: Path) -> list[Action]:
    actions: list[Action] = []
    current_round = 0
    for line in path.read_text().splitlines():
        if m := re.match(r"^Round (\d+):$", line):
            current_round = int(m.group(1))
        elif line.startswith("Action: "):
            actions.append(Action(line.removeprefix("Action: "), current_round))
        elif actions and (m := _COUNT.match(line)):
            for name in m.group(2).split(", "):
                actions[-1].votes[name] = Decimal(m.group(3))
        elif actions and (m := _STAT.match(line)):
            actions[-1].stats[m.group(1)] = Decimal(m.group(2))
    return actions
