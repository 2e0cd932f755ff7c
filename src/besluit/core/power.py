"""Voting power in a weighted majority game: Banzhaf and Shapley-Shubik, exactly.

Pure Python (no Django, no NumPy). Every figure is an exact integer or
:class:`~fractions.Fraction`; nothing is sampled or rounded.

The game
    Members ``0..n-1`` have non-negative integer weights ``w_i``; a coalition wins
    when its total weight is at least the quota ``q`` (itself the smallest winning
    weight, see :func:`quota_for`). :func:`make_game` turns :class:`~decimal.Decimal`
    weights into such integers exactly: they are multiplied by ``scale = 10**d``, ``d``
    being the largest number of decimals among them (trailing zeros ignored), and then
    divided by their greatest common divisor ``g`` (stored as ``divisor``); the quota
    becomes ``ceil(q / g)``, which is exact because every coalition weight is a
    multiple of ``g``. So ``weights[i] == original_i * scale / divisor``.

Algorithms (dynamic programming over weights, never enumeration of coalitions)
    Counts are packed into one Python ``int`` per polynomial, a fixed number of bits per
    coefficient (Kronecker substitution), so that multiplying a generating function by
    ``(1 + x**w)`` is one shift and one addition done in C. Counts reach ``2**n`` and
    are exact at any size.

    * Banzhaf: the counts ``c_t`` of coalitions of weight ``t`` (all members, ``t < q``)
      come from ``prod (1 + x**w_i)``, processed in ascending weight order in chunks
      that stay in the CPU cache. With the prefix sums ``C(t) = c_0 + ... + c_t`` the
      swings of a member of weight ``w`` (coalitions of the *others* with weight in
      ``[q - w, q - 1]``) are ``C(q-1) + 2 * sum_{j>=1} (-1)**j C(q-1-j*w)``: that is
      the generating function divided by ``(1 + x**w)``, read off at ``q/w`` points.
    * Shapley-Shubik: the same with the coalition size as a second variable,
      ``prod (1 + y x**w_i)``: one packed polynomial in ``x`` per size, each stored
      only from the lightest weight it can have up to ``q``. It is then transposed into
      one packed polynomial in ``y`` per weight, prefix-summed over ``t``, and the
      division by ``(1 + y x**w)`` is the recurrence ``F(t) = C(t) - y F(t - w)`` at
      ``q/w`` points. ``SS_i = sum_s N_i(s) * s! (n-1-s)! / n!``.
    * Both are computed once per *distinct* weight (equal weights have equal power).
    * A member is pivotal for ``q`` exactly when it is for ``q' = W + 1 - q`` (take
      complements; the size weights are symmetric in ``s <-> n-1-s``), so the tables
      only run up to ``min(q, W + 1 - q)``: for a two-thirds quota that is ``W / 3``.
    * :func:`dummies` needs only reachability (bit sets), and dummies are a lowest-weight
      group (power is monotone in weight), so it binary-searches the distinct weights.
    * :func:`smallest_winning_coalition`: bit-set subset-sum for the lightest winning
      weight, then bit sets per coalition size over suffixes of the member list
      (checkpointed, recomputed per segment) to get the fewest members and the lowest
      indices.

What is feasible
    The work grows like ``n * q * n`` bits for Banzhaf and ``n * n * q * n`` bits for
    Shapley-Shubik (``q`` the quota in scaled units, ``n`` the members), so the scale
    matters. Measured for the 342 Dutch municipalities (simple majority) on a 2-core
    Xeon VM with CPython 3.11, in CPU seconds (``bench/bench_power.py`` prints the wall
    times)::

        weights                        scaled total  Banzhaf       Shapley-Shubik
        bracket table 1..14 votes             1,368  0.1 s         0.4 s
        one member one vote                     342  0.1 s         0.1 s
        inhabitants / 1000, whole            18,125  0.1 s         3.5 s, 220 MB
        inhabitants / 1000, 2 decimals    1,813,035  5.7 s         refused (12 GB)
        sqrt(inhabitants), 2 decimals     7,066,665  29 s, 0.3 GB  refused (38 GB)
        inhabitants, exact               18,130,231  60 s, 0.6 GB  refused (124 GB)

    So for interactive use round the weights to whole units of about 1/20,000 of the
    total (Banzhaf then takes well under a second and Shapley-Shubik a few seconds);
    finer weights are exact too but belong in a background job. A two-thirds quota is
    somewhat cheaper (the tables stop at a third of the total). :func:`dummies` and
    :func:`minimum_winning_size` stay cheap at every size above (at most ~2 s).
    :func:`smallest_winning_coalition` takes ~1.3 s and ~300 MB at 1.8 million and is
    refused at the two finest scales.

    Limits raise :class:`PowerError` with the sizes and the advice to round:
    :func:`make_game` refuses a scaled total above ``max_total`` (50 million),
    :func:`banzhaf_swings` ``n * q`` above ``max_work``, :func:`shapley_shubik` a table
    above ``max_table_bytes`` (300 MB) and :func:`smallest_winning_coalition` bit sets
    above ``max_bytes`` (500 MB).
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction
from functools import partial
from itertools import accumulate, chain, compress

__all__ = [
    "Game",
    "PowerError",
    "Quota",
    "banzhaf",
    "banzhaf_swings",
    "dummies",
    "make_game",
    "minimum_winning_size",
    "quota_for",
    "shapley_shubik",
    "smallest_winning_coalition",
]

#: Default ceiling on the scaled total weight accepted by :func:`make_game`.
MAX_TOTAL = 50_000_000
#: Default ceiling on ``members * effective quota`` for :func:`banzhaf_swings`
#: (342 members with exact inhabitants as weights is about 3.1e9).
MAX_BANZHAF_WORK = 4_000_000_000
#: Default ceiling on the size in bytes of the Shapley-Shubik table.
MAX_SS_TABLE_BYTES = 300_000_000
#: Default ceiling on the bit sets kept by :func:`smallest_winning_coalition`, in bytes.
MAX_COALITION_BYTES = 500_000_000

# Scaled weights longer than this many digits are refused before they are computed.
_MAX_DIGITS = 300
# Reachability bit sets (dummies, smallest winning coalition) longer than this are refused.
_MAX_BITSET = 1 << 31  # 256 MiB

# Size of one chunk of the packed Banzhaf polynomial, in bits (a few hundred KiB keeps
# the shift-and-add passes in the CPU cache).
_CHUNK_BITS = 1 << 21


class PowerError(ValueError):
    """The game or its weights cannot be analysed as asked."""


class Quota(StrEnum):
    """Quota rules over the total weight of all members.

    ``SIMPLE``: strictly more than half the total weight. An absolute majority
    (of all members' weight, present or not) is this rule: the game is always over the
    total weight. ``TWO_THIRDS``: at least two thirds of the total weight. Any other
    quota can be given to :func:`quota_for` as a :class:`~fractions.Fraction`.
    """

    SIMPLE = "simple"
    TWO_THIRDS = "two_thirds"


def quota_for(total: int, rule: Quota | Fraction | str) -> int:
    """The smallest integer weight that wins under ``rule`` when the weights add up to ``total``.

    ``Quota.SIMPLE`` gives ``total // 2 + 1`` (strictly more than half),
    ``Quota.TWO_THIRDS`` gives ``ceil(2 * total / 3)`` and a fraction ``f`` with
    ``0 < f <= 1`` gives ``ceil(f * total)`` ("at least ``f`` of the total"). The result
    is never below 1: the empty coalition never wins. When ``total`` is 0 the quota
    (1) exceeds the total and no coalition wins.
    """
    if isinstance(total, bool) or not isinstance(total, int) or total < 0:
        raise PowerError(f"total weight must be a non-negative integer, not {total!r}")
    if isinstance(rule, str):
        try:
            rule = Quota(rule)
        except ValueError:
            raise PowerError(f"unknown quota rule {rule!r}") from None
        if rule is Quota.SIMPLE:
            return total // 2 + 1
        return max(1, -(-2 * total // 3))
    if isinstance(rule, bool | float):
        raise PowerError(f"quota fraction must be exact (Fraction, int or Decimal), not {rule!r}")
    try:
        f = Fraction(rule)
    except (TypeError, ValueError):
        raise PowerError(f"unknown quota rule {rule!r}") from None
    if not 0 < f <= 1:
        raise PowerError(f"quota fraction must be in (0, 1], not {f}")
    return max(1, math.ceil(f * total))


@dataclass(frozen=True)
class Game:
    """A weighted majority game with integer weights.

    ``weights[i]`` is member ``i``'s weight, ``quota`` the smallest winning weight
    (at least 1; a quota above the total means no coalition wins). ``scale`` and
    ``divisor`` record how :func:`make_game` got there:
    ``weights[i] == original_i * scale / divisor``.
    """

    weights: tuple[int, ...]
    quota: int
    scale: int = 1
    divisor: int = 1

    def __post_init__(self) -> None:
        weights = tuple(self.weights)
        for w in weights:
            if isinstance(w, bool) or not isinstance(w, int) or w < 0:
                raise PowerError(f"weights must be non-negative integers, not {w!r}")
        object.__setattr__(self, "weights", weights)
        for name in ("quota", "scale", "divisor"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise PowerError(f"{name} must be a positive integer, not {value!r}")

    @property
    def n(self) -> int:
        """The number of members."""
        return len(self.weights)

    @property
    def total(self) -> int:
        """The total (scaled) weight."""
        return sum(self.weights)


def _decimal_parts(value: Decimal | int) -> tuple[int, int]:
    """``(c, e)`` with ``value == c * 10**e`` and ``c`` not a multiple of 10 (unless 0)."""
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        raise PowerError(f"weights must be Decimal or int (exact), not {value!r}")
    if isinstance(value, int):
        coef, exp = value, 0
    else:
        if not value.is_finite():
            raise PowerError(f"weight {value} is not a finite number")
        sign, digits, exp = value.as_tuple()
        coef = int("".join(map(str, digits))) if digits else 0
        if sign and coef:
            coef = -coef
    if coef < 0:
        raise PowerError(f"weights must not be negative, not {value}")
    if coef == 0:
        return 0, 0
    while coef % 10 == 0:
        coef //= 10
        exp += 1
    return coef, exp


def make_game(
    weights: Sequence[Decimal | int],
    rule: Quota | Fraction | str = Quota.SIMPLE,
    *,
    max_total: int = MAX_TOTAL,
) -> Game:
    """Scale decimal weights to integers exactly and build the game for ``rule``.

    The scale is ``10**d`` with ``d`` the largest number of decimals among the weights
    (``Decimal("1.50")`` counts as one decimal). The quota is computed from the scaled
    total with :func:`quota_for`; then weights and quota are divided by the common
    divisor of the weights (exact, see the module notes). Raises :class:`PowerError`
    for negative, non-finite or inexact (float) weights, for no members, and when the
    total after scaling exceeds ``max_total`` - the computations grow with it, so round
    the weights to fewer decimals.
    """
    if len(weights) == 0:
        raise PowerError("a game needs at least one member")
    parts = [_decimal_parts(w) for w in weights]
    decimals = max((-e for c, e in parts if c), default=0)
    decimals = max(decimals, 0)
    widest = max((len(str(c)) + e + decimals for c, e in parts if c), default=0)
    if widest > _MAX_DIGITS:
        raise PowerError(
            f"the weights need {decimals} decimals and span {widest} digits once scaled "
            f"to whole numbers; round the weights to fewer decimals"
        )
    scale = 10**decimals
    scaled = [c * 10 ** (e + decimals) for c, e in parts]
    total = sum(scaled)
    quota = quota_for(total, rule)
    divisor = math.gcd(*scaled) or 1
    if divisor > 1:
        scaled = [w // divisor for w in scaled]
        quota = -(-quota // divisor)
        total //= divisor
    if total > max_total:
        common = f" and divided by their common factor {divisor}" if divisor > 1 else ""
        raise PowerError(
            f"the weights, scaled by 10^{decimals} = {scale} to whole numbers{common}, "
            f"add up to {total}, more than the limit of {max_total} for exact power "
            f"computations; round the weights to fewer decimals"
        )
    return Game(tuple(scaled), quota, scale, divisor)


# --------------------------------------------------------------------------- helpers


def _reduced(game: Game) -> tuple[list[int], int, int] | None:
    """Weights divided by their gcd, the matching quota and total; None if nobody can win."""
    weights = list(game.weights)
    total = sum(weights)
    quota = game.quota
    if quota > total:
        return None
    g = math.gcd(*weights)
    if g > 1:
        weights = [w // g for w in weights]
        quota = -(-quota // g)
        total //= g
    return weights, quota, total


def _check_bitset(bits: int, what: str, quota: int) -> None:
    if bits > _MAX_BITSET:
        raise PowerError(
            f"{what} with a quota of {quota} (in scaled units) needs bit sets of "
            f"{bits / 8e6:.0f} MB; round the weights to fewer decimals"
        )


def _effective_quota(quota: int, total: int) -> int:
    """The smaller of ``q`` and ``W + 1 - q``: both give every member the same swings."""
    return min(quota, total + 1 - quota)


def _equal_weight_bound_bytes(positive: int, zeros: int) -> int:
    """Bytes that hold any count of coalitions with one same weight.

    Coalitions of positive weights with equal totals form an antichain, so there are at
    most ``C(p, p // 2)`` of them (Sperner); each zero weight doubles that.
    """
    return max(1, ((math.comb(positive, positive // 2) << zeros).bit_length() + 7) // 8)


def _widen(data: bytes | bytearray, old: int, new: int) -> bytearray:
    """Re-pack little-endian slots of ``old`` bytes into slots of ``new >= old`` bytes."""
    out = bytearray(len(data) // old * new)
    if old % 8 == 0 and new % 8 == 0 and len(data) % 8 == 0:  # move 8-byte words
        target, source, old, new = (
            memoryview(out).cast("Q"),
            memoryview(data).cast("Q"),
            old // 8,
            new // 8,
        )
    else:
        target, source = memoryview(out), memoryview(data)
    for j in range(old):
        target[j::new] = source[j::old]
    target.release()
    source.release()
    return out


def _next_width(need: int, final: int) -> int:
    """Slot width (bytes) to widen to: whole 8-byte words, or ``final`` when that is close."""
    width = min(final, -(-need // 8) * 8)
    return final if final - width < 8 else width


def _subset_sum_counts(weights: Sequence[int], limit: int) -> Iterator[int]:
    """Coefficients ``c_t`` (t < limit) of ``prod (1 + x**w)``, in order of ``t``.

    ``weights`` must be ascending and below ``limit``. The polynomial is kept as a list
    of chunks of ``length`` slots each (a few hundred KiB, so every pass stays in the
    CPU cache); multiplying by ``1 + x**w`` adds to chunk ``e`` the top of chunk
    ``e - d - 1`` and the bottom of chunk ``e - d`` (``w = d * length + r``), working
    from the top chunk down. Slots are as narrow as the members seen so far allow and
    are widened as needed.
    """
    slot_bytes = length = chunk_bits = 0
    chunks: list[int] = []

    def repack(new_bytes: int) -> None:
        # Chunk by chunk, releasing as it goes: the polynomial is never held twice.
        nonlocal slot_bytes, length, chunk_bits, chunks
        if chunks:
            wide = bytearray()
            chunk_bytes = length * slot_bytes
            remaining = limit * slot_bytes
            for c in range(len(chunks)):
                data = memoryview(chunks[c].to_bytes(chunk_bytes, "little"))
                chunks[c] = 0
                wide += _widen(data[: min(chunk_bytes, remaining)], slot_bytes, new_bytes)
                remaining -= chunk_bytes
        else:
            wide = bytearray(limit * new_bytes)
            wide[0] = 1
        slot_bytes = new_bytes
        length = max(1, _CHUNK_BITS // (8 * slot_bytes))
        chunk_bits = 8 * slot_bytes * length
        step = length * slot_bytes
        chunks = [0] * -(-len(wide) // step)
        for c in range(len(chunks) - 1, -1, -1):
            chunks[c] = int.from_bytes(wide[c * step :], "little")
            del wide[c * step :]

    final = _equal_weight_bound_bytes(
        sum(1 for w in weights if w), sum(1 for w in weights if not w)
    )
    repack(_next_width(1, final))
    positive = zeros = 0
    top = 0  # largest weight that may have a non-zero count so far
    for w in weights:
        if w:
            positive += 1
        else:
            zeros += 1
        need = _equal_weight_bound_bytes(positive, zeros)
        if need > slot_bytes:
            repack(_next_width(need, final))
        if w == 0:
            chunks = [c << 1 for c in chunks]
            continue
        top = min(limit - 1, top + w)
        d, r = divmod(w, length)
        if r == 0:
            for e in range(top // length, d - 1, -1):
                src = chunks[e - d]
                if src:
                    chunks[e] += src
            continue
        shift = r * 8 * slot_bytes
        back = chunk_bits - shift
        mask = (1 << chunk_bits) - 1
        for e in range(top // length, d - 1, -1):
            low = chunks[e - d]
            high = chunks[e - d - 1] >> back if e > d else 0
            if low:
                chunks[e] += ((low << shift) & mask) | high
            elif high:
                chunks[e] += high
    return _iter_slots(chunks, length * slot_bytes, slot_bytes, limit)


def _iter_slots(chunks: list[int], chunk_bytes: int, slot_bytes: int, limit: int) -> Iterator[int]:
    """The first ``limit`` slot values of a chunked packed polynomial, in order.

    Releases each chunk once it is reached, so the bytes never all exist at once; the
    values themselves flow through C iterators only.
    """
    from_le = partial(int.from_bytes, byteorder="little")

    def per_chunk() -> Iterator[Iterator[int]]:
        for c in range(len(chunks)):
            data = memoryview(chunks[c].to_bytes(chunk_bytes, "little"))
            chunks[c] = 0
            count = min(chunk_bytes, (limit - c * (chunk_bytes // slot_bytes)) * slot_bytes)
            bounds = map(
                slice, range(0, count, slot_bytes), range(slot_bytes, count + 1, slot_bytes)
            )
            yield map(from_le, map(data.__getitem__, bounds))

    return chain.from_iterable(per_chunk())


# --------------------------------------------------------------------------- Banzhaf


def banzhaf_swings(game: Game, *, max_work: int = MAX_BANZHAF_WORK) -> tuple[int, ...]:
    """Raw Banzhaf swing counts: for each member, the coalitions of the others it turns
    from losing into winning. Exact integers (they exceed 64 bits for large games)."""
    n = game.n
    reduced = _reduced(game)
    if reduced is None:
        return (0,) * n
    weights, quota, total = reduced
    q = _effective_quota(quota, total)
    small = sorted(w for w in weights if w < q)
    if len(small) * q > max_work:
        raise PowerError(
            f"Banzhaf for {n} members with a quota of {q} (in scaled units) is too large "
            f"to compute exactly here ({len(small)} x {q} > {max_work}); round the weights "
            f"to fewer decimals"
        )
    # Prefix sums C(t) are needed at t = q-1-j*w only; keep just those.
    distinct = sorted(set(weights))
    wanted = bytearray(q)
    wanted[q - 1] = 1
    for w in distinct:
        if 0 < w < q:
            first = (q - 1) % w
            wanted[first::w] = b"\x01" * len(range(first, q, w))
    prefix = dict(
        zip(
            compress(range(q), wanted),
            compress(accumulate(_subset_sum_counts(small, q)), wanted),
            strict=True,
        )
    )
    last = prefix[q - 1]
    by_weight: dict[int, int] = {}
    for w in distinct:
        if w == 0:
            by_weight[w] = 0
        elif w >= q:
            by_weight[w] = last
        else:
            # C(q-1) + 2 * sum_{j>=1} (-1)^j C(q-1-jw)
            odd = sum(map(prefix.__getitem__, range(q - 1 - w, -1, -2 * w)))
            even = sum(map(prefix.__getitem__, range(q - 1 - 2 * w, -1, -2 * w)))
            by_weight[w] = last + 2 * (even - odd)
    return tuple(by_weight[w] for w in weights)


def banzhaf(game: Game, *, max_work: int = MAX_BANZHAF_WORK) -> tuple[Fraction, ...]:
    """Normalised Banzhaf index: swings over the total of all swings (sum 1; all 0 when
    no member ever swings, i.e. when no coalition can win)."""
    swings = banzhaf_swings(game, max_work=max_work)
    total = sum(swings)
    if total == 0:
        return tuple(Fraction(0) for _ in swings)
    return tuple(Fraction(s, total) for s in swings)


# --------------------------------------------------------------------------- Shapley-Shubik


def _size_weight_layers(
    weights: Sequence[int], limit: int, slot_bytes: int
) -> tuple[list[int], list[int]]:
    """Coalition counts by size and weight, ``t < limit``, one packed int per size ``s``.

    ``weights`` ascending. Layer ``s`` holds the count for weight ``lo[s] + j`` in slot
    ``j``, ``lo[s]`` being the sum of the ``s`` smallest weights (no lighter coalition
    of that size exists). Layers may carry garbage slots at or beyond ``limit``; they
    are only ever shifted upwards, so slots below ``limit`` stay exact. Slots start
    narrow and are widened as members are added; the result has ``slot_bytes``-byte
    slots (enough for ``C(len(weights), s)``).
    """
    lo = [0, *accumulate(weights)]
    smax = bisect_right(lo, limit - 1) - 1
    layers = [1] + [0] * smax
    width = 0
    room: list[int] = []
    caps: list[int] = []

    def repack(new: int) -> None:
        nonlocal width, room, caps
        if width:
            old_bits = 8 * width
            for s, x in enumerate(layers):
                if x:
                    data = x.to_bytes(-(-x.bit_length() // old_bits) * width, "little")
                    layers[s] = int.from_bytes(_widen(data, width, new), "little")
        width = new
        room = [(limit - lo[s]) * 8 * width for s in range(smax + 1)]
        caps = [r + max(64 * width, r // 4) for r in room]

    for k, w in enumerate(weights, 1):
        need = (math.comb(k, k // 2).bit_length() + 7) // 8
        if need > width:
            repack(_next_width(need, slot_bytes))
        bits = 8 * width
        for s in range(min(k, smax), 0, -1):
            src = layers[s - 1]
            if src:
                x = layers[s] + (src << ((lo[s - 1] + w - lo[s]) * bits))
                if x.bit_length() > caps[s]:
                    x &= (1 << room[s]) - 1
                layers[s] = x
    if width != slot_bytes:
        repack(slot_bytes)
    return layers, lo[: smax + 1]


def shapley_shubik(
    game: Game, *, max_table_bytes: int = MAX_SS_TABLE_BYTES
) -> tuple[Fraction, ...]:
    """Shapley-Shubik index: the share of member orderings in which each member is pivotal.

    Exact fractions summing to 1 (all 0 when no coalition can win). Raises
    :class:`PowerError` when the size-by-weight table would exceed ``max_table_bytes``.
    """
    n = game.n
    reduced = _reduced(game)
    if reduced is None:
        return tuple(Fraction(0) for _ in range(n))
    weights, quota, total = reduced
    q = _effective_quota(quota, total)
    small = sorted(w for w in weights if w < q)
    m = len(small)
    # Slots of whole 8-byte words, so the transposition below moves words, not bytes.
    slot_bytes = 8 * ((math.comb(m, m // 2).bit_length() + 63) // 64)
    slot_bits = 8 * slot_bytes
    words = slot_bytes // 8
    sizes = bisect_right([0, *accumulate(small)], q - 1)  # layers 0..sizes-1
    row = sizes * slot_bytes
    table_bytes = q * row
    if table_bytes > max_table_bytes:
        raise PowerError(
            f"Shapley-Shubik for {n} members with a quota of {q} (in scaled units) needs a "
            f"table of {table_bytes / 1e6:.0f} MB, more than the limit of "
            f"{max_table_bytes / 1e6:.0f} MB; round the weights to fewer decimals "
            f"(or use the Banzhaf index)"
        )
    layers, lo = _size_weight_layers(small, q, slot_bytes)

    # Transpose: row t = packed polynomial in y (size), then prefix sums over t.
    table = bytearray(table_bytes)
    cells = memoryview(table).cast("Q")
    row_words = row // 8
    for s, layer in enumerate(layers):
        need = (q - lo[s]) * slot_bytes
        data = layer.to_bytes(max(need, (layer.bit_length() + 7) // 8), "little")[:need]
        source = memoryview(data).cast("Q")
        start = lo[s] * row_words + s * words
        for j in range(words):
            cells[start + j :: row_words] = source[j::words]
        source.release()
    cells.release()
    layers.clear()
    view = memoryview(table)
    rows = list(
        accumulate(int.from_bytes(view[i : i + row], "little") for i in range(0, table_bytes, row))
    )
    del view, table

    # SS_i * n! = sum_s N_i(s) * s! (n-1-s)!, N_i(s) = swinging coalitions of size s.
    fact = [1] * (n + 1)
    for i in range(1, n + 1):
        fact[i] = fact[i - 1] * i
    size_weight = [fact[s] * fact[n - 1 - s] for s in range(n)]
    out_bytes = (sizes + 1) * slot_bytes
    by_weight: dict[int, Fraction] = {}
    for w in set(weights):
        if w == 0:
            by_weight[w] = Fraction(0)
            continue
        if w >= q:
            swing = rows[q - 1]
        else:
            # F(t) = C(t) - y F(t - w): the others' counts, at t = q-1-w and q-1.
            first = (q - 1) % w
            f = rows[first]
            previous = 0
            for t in range(first + w, q, w):
                previous = f
                f = rows[t] - (f << slot_bits)
            swing = f - previous
        data = swing.to_bytes(out_bytes, "little")
        numerator = sum(
            int.from_bytes(data[s * slot_bytes : (s + 1) * slot_bytes], "little") * size_weight[s]
            for s in range(min(sizes, n))
        )
        by_weight[w] = Fraction(numerator, fact[n])
    return tuple(by_weight[w] for w in weights)


# --------------------------------------------------------------------------- structure


def minimum_winning_size(game: Game) -> int:
    """The fewest members whose weights together reach the quota."""
    total = 0
    for count, w in enumerate(sorted(game.weights, reverse=True), 1):
        total += w
        if total >= game.quota:
            return count
    raise PowerError(f"no coalition reaches the quota {game.quota} (total weight {total})")


def dummies(game: Game) -> tuple[int, ...]:
    """Members with zero power (never pivotal): all of them when no coalition can win."""
    reduced = _reduced(game)
    if reduced is None:
        return tuple(range(game.n))
    weights, quota, total = reduced
    q = _effective_quota(quota, total)
    _check_bitset(q, "finding the dummies", q)
    small = sorted(w for w in weights if w < q)
    candidates = sorted({w for w in small if w > 0})

    def is_dummy(weight: int) -> bool:
        # Bit q-1-t set <=> some coalition of the others weighs t (t < q).
        reach = 1 << (q - 1)
        skipped = False
        for w in small:
            if w == weight and not skipped:
                skipped = True
            elif w:
                reach |= reach >> w
        return not reach & ((1 << weight) - 1)  # no coalition in [q - weight, q - 1]

    # Power is monotone in weight, so the dummies are the lightest members.
    lo, hi = 0, len(candidates)  # candidates[:lo] are dummies, candidates[hi:] are not
    while lo < hi:
        mid = (lo + hi) // 2
        if is_dummy(candidates[mid]):
            lo = mid + 1
        else:
            hi = mid
    dummy_weights = {0, *candidates[:lo]}
    return tuple(i for i, w in enumerate(weights) if w in dummy_weights)


def smallest_winning_coalition(
    game: Game, *, max_bytes: int = MAX_COALITION_BYTES
) -> tuple[int, ...]:
    """Member indices of a winning coalition with the smallest total weight.

    Ties are broken by the fewest members, then by the lowest indices (the
    lexicographically smallest sorted tuple). Subset-sum dynamic programming with
    reconstruction; raises :class:`PowerError` when no coalition reaches the quota, or
    when the bit sets it keeps (about ``2 * sqrt(n) * size * quota / 8`` bytes, ``size``
    the number of members of the answer) would exceed ``max_bytes``.
    """
    reduced = _reduced(game)
    if reduced is None:
        raise PowerError(f"no coalition reaches the quota {game.quota} (total {game.total})")
    weights, quota, total = reduced

    # 1. The lightest winning weight: a minimal one is below quota + max weight.
    bound = min(total, quota - 1 + max(weights))
    _check_bitset(bound, "the smallest winning coalition", quota)
    reach = 1
    full = (1 << (bound + 1)) - 1
    for w in weights:
        if w:
            reach = (reach | (reach << w)) & full
    above = reach >> quota
    target = quota + (above & -above).bit_length() - 1

    # 2. Fewest members, then lowest indices, for exactly `target`. layers[c] has bit
    # target - t set when c members of the suffix cand[i:] weigh t in total. With at
    # most `limit` members in all, the members chosen before i (at most limit - c of
    # them) weigh at most heavy[limit - c], so higher bits of layer c are never asked
    # for and are masked off.
    cand = [i for i, w in enumerate(weights) if 0 < w <= target]
    size = len(cand)
    step = max(1, math.isqrt(size))
    heavy = [0, *accumulate(sorted((weights[i] for i in cand), reverse=True))]
    masks: list[int] = []

    def suffix_states(layers: list[int], upto: int, start: int, keep: int) -> dict[int, list[int]]:
        """States for suffixes start..upto-1, from the state `layers` of suffix `upto`;
        keeps those at multiples of `keep` (and `upto`)."""
        states = {upto: layers}
        layers = layers.copy()
        for i in range(upto - 1, start - 1, -1):
            w = weights[cand[i]]
            for c in range(min(len(layers) - 1, size - i), 0, -1):
                src = layers[c - 1] >> w
                if src:
                    layers[c] = (layers[c] | src) & masks[c]
            if i % keep == 0 or i == start:
                states[i] = layers.copy()
        return states

    limit = min(size, bisect_right(heavy, target - 1) + 8)
    while True:
        reach_bits = [min(target, heavy[limit - c]) + 1 for c in range(limit + 1)]
        states_bytes = (size // step + 1 + step) * sum(reach_bits) // 8
        if states_bytes > max_bytes:
            raise PowerError(
                f"the smallest winning coalition of {game.n} members with a quota of "
                f"{quota} (in scaled units) needs about {states_bytes / 1e6:.0f} MB, more "
                f"than the limit of {max_bytes / 1e6:.0f} MB; round the weights to fewer "
                f"decimals"
            )
        masks = [(1 << bits) - 1 for bits in reach_bits]
        checkpoints = suffix_states([1 << target & masks[0]] + [0] * limit, size, 0, step)
        first = checkpoints[0]
        fewest = next((c for c in range(limit + 1) if first[c] & 1), None)
        if fewest is not None:
            break
        if limit == size:  # pragma: no cover - target is reachable by construction
            raise AssertionError("lightest winning weight not reconstructible")
        limit = min(size, 2 * limit)

    chosen: list[int] = []
    t, c = target, fewest
    for begin in range(0, size, step):
        if c == 0:
            break
        end = min(begin + step, size)
        base = checkpoints[end][: c + 1]
        states = suffix_states(base, end, begin + 1, 1) if begin + 1 <= end - 1 else {end: base}
        for i in range(begin, end):
            if c == 0:
                break
            w = weights[cand[i]]
            if w <= t and states[i + 1][c - 1] >> (target - t + w) & 1:
                chosen.append(cand[i])
                t -= w
                c -= 1
    return tuple(chosen)
