"""Can a secret poll be secret with this register? A pure check, no Django.

A secret poll publishes who voted and, per option, the total weight and the
number of members. Some registers make that enough to tell who chose what:

- ``majority``: one member holds more than half of the eligible weight. Whatever
  it chooses carries the option it is in past half of all weight, so the totals
  show its choice (and it decides the poll alone).
- ``few_members``: fewer than ``min_members`` eligible members. With so few,
  member counts per option next to the public list of voters all but name them
  (two members who both voted and a 1-1 split: each knows the other's choice).
- ``weights_identify``: a small register whose weights are all different subset
  sums: every total weight can be made from exactly one group of members, so
  the per-option totals reveal exactly who chose each option.

Unanimity always reveals everyone's choice; that is a property of the result,
not of the register, and is not warned about.

Call it with the register a poll would freeze (before it opens: the eligible
rows of ``associations.selectors.weighted_register`` on the meeting date) or
with the frozen one (``RegisterEntry`` rows). ``besluit.security`` shows the
warnings on the poll page (template tag ``secrecy_warnings``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

__all__ = ["MIN_MEMBERS", "SUBSET_CHECK_LIMIT", "SecrecyWarning", "check_secrecy"]

MIN_MEMBERS = 5
# Up to this many members the subset sums are enumerated (2**16 sums, fast).
SUBSET_CHECK_LIMIT = 16


@dataclass(frozen=True)
class SecrecyWarning:
    code: str  # "majority", "few_members", "weights_identify"
    message: str  # English; the template translates by code
    members: tuple[str, ...] = ()  # the member codes concerned, if any
    share: Decimal | None = None  # the largest member's share, for "majority"


def check_secrecy(
    register: Iterable[tuple[str, Decimal]], *, min_members: int = MIN_MEMBERS
) -> list[SecrecyWarning]:
    """Warnings for a secret poll over ``register``: (member code, weight) pairs.

    Members with weight 0 are eligible but carry nothing; they count as members.
    An empty register gives no warning (the poll cannot open anyway).
    """
    rows = [(code, Decimal(weight)) for code, weight in register]
    if not rows:
        return []
    warnings: list[SecrecyWarning] = []
    total = sum((w for _, w in rows), Decimal(0))
    if total > 0:
        code, top = max(rows, key=lambda r: (r[1], r[0]))
        if top * 2 > total:
            share = top / total
            warnings.append(
                SecrecyWarning(
                    "majority",
                    f"{code} holds {share:.1%} of the eligible weight: its choice decides the "
                    "poll and shows in the totals.",
                    members=(code,),
                    share=share,
                )
            )
    n = len(rows)
    if n < min_members:
        warnings.append(
            SecrecyWarning(
                "few_members",
                f"Only {n} eligible member(s): the totals per option and the list of voters "
                "reveal individual choices.",
                members=tuple(sorted(code for code, _ in rows)),
            )
        )
    elif n <= SUBSET_CHECK_LIMIT and _subset_sums_unique([w for _, w in rows]):
        warnings.append(
            SecrecyWarning(
                "weights_identify",
                f"Each of the {n} members' weights is such that every total weight comes from "
                "exactly one group of members: the weight per option reveals who chose it.",
                members=tuple(sorted(code for code, _ in rows)),
            )
        )
    return warnings


def _subset_sums_unique(weights: list[Decimal]) -> bool:
    """Does every subset of ``weights`` have a different sum? (Zero weights never do.)"""
    if any(w <= 0 for w in weights):
        return False
    sums = {Decimal(0)}
    for w in weights:
        shifted = {s + w for s in sums}
        if not shifted.isdisjoint(sums):
            return False
        sums |= shifted
    return True
