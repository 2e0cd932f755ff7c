"""Geometry of the projector's chart of a count (pure; the template draws it).

One block per round of the count: a horizontal bar per candidate (votes), its value
in text after the bar, and the quota as a dashed vertical line with its value, so
nothing depends on colour. Coordinates are whole numbers (user units), so the
template never prints a localised decimal comma into an SVG attribute.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

WIDTH = 960
LABEL_END = 236
BAR_X = 244
BAR_MAX = WIDTH - BAR_X - 110
HEADER = 30
ROW = 26
BAR_HEIGHT = 18
FILLS = {"elected": "#2e7d32", "excluded": "#8a8a8a", "": "#1f4e79"}


@dataclass(frozen=True)
class Bar:
    label: str
    value: Decimal
    y: int
    width: int
    fill: str
    text_y: int
    value_x: int
    fate: str


@dataclass(frozen=True)
class Block:
    label: str
    text_y: int
    bars: tuple[Bar, ...]
    quota: Decimal | None
    quota_x: int
    top: int
    bottom: int


@dataclass(frozen=True)
class Chart:
    blocks: tuple[Block, ...]
    width: int
    height: int
    label_end: int = LABEL_END
    bar_x: int = BAR_X
    bar_height: int = BAR_HEIGHT


def count_chart(table, *, last: int | None = None) -> Chart | None:
    """The chart of a ``selectors.CountTable``; ``last`` keeps only the latest rounds."""
    if table is None or not table.columns:
        return None
    columns = list(range(len(table.columns)))
    if last:
        columns = columns[-last:]
    values = [r["cells"][c] for r in table.rows for c in columns if r["cells"][c] is not None]
    quotas = [table.quota[c] for c in columns if table.quota[c] is not None]
    top_value = max([*values, *quotas, Decimal(0)])

    def scale(v: Decimal) -> int:
        return 0 if top_value <= 0 else int(v * BAR_MAX / top_value)

    blocks = []
    y = 0
    for c in columns:
        rows = [r for r in table.rows if r["cells"][c] is not None]
        header_y = y + 20
        bars = []
        row_y = y + HEADER
        for r in rows:
            value = r["cells"][c]
            width = scale(value)
            # Coloured (and marked) from the round in which it happened.
            fate = r["fate"] if c >= r.get("since", 0) else ""
            bars.append(
                Bar(
                    r["name"],
                    value,
                    row_y,
                    width,
                    FILLS.get(fate, FILLS[""]),
                    row_y + BAR_HEIGHT - 4,
                    BAR_X + width + 6,
                    fate,
                )
            )
            row_y += ROW
        quota = table.quota[c]
        blocks.append(
            Block(
                table.columns[c],
                header_y,
                tuple(bars),
                quota,
                BAR_X + scale(quota) if quota is not None else 0,
                y + HEADER - 4,
                row_y,
            )
        )
        y = row_y + 12
    return Chart(tuple(blocks), WIDTH, y)
