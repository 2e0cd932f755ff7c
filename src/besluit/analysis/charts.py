"""Geometry of the server-rendered SVG bar charts (pure; the template draws them).

A chart has one block per group (size class, network, province): the group's name,
then one horizontal bar for its share of the inhabitants (the reference, grey) and one
per rule for its share of the power. Every bar has its series name on the left and its
value on the right in text, so nothing depends on colour. Coordinates are whole numbers
(user units of the viewBox), so the template never prints a localised decimal comma
into an SVG attribute.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

WIDTH = 720
LABEL_END = 196  # series labels end here (text-anchor="end")
BAR_X = 204
BAR_MAX = WIDTH - BAR_X - 72  # room for the value text after the longest bar
HEADER = 26
ROW = 20
BAR_HEIGHT = 14
REFERENCE_FILL = "#6b6b6b"
# Distinct in hue and lightness; the labels carry the meaning, the colours only help.
FILLS = ("#1f4e79", "#b35900", "#2e7d32", "#6a1b9a", "#a61b1b", "#00707a")


@dataclass(frozen=True)
class Bar:
    label: str
    value: Decimal  # a share, 0..1
    y: int
    width: int
    fill: str
    text_y: int
    value_x: int
    reference: bool = False


@dataclass(frozen=True)
class Block:
    label: str
    text_y: int
    bars: tuple[Bar, ...]


@dataclass(frozen=True)
class Chart:
    id: str
    title: str
    desc: str
    blocks: tuple[Block, ...]
    width: int
    height: int
    label_end: int = LABEL_END
    bar_x: int = BAR_X
    bar_height: int = BAR_HEIGHT


@dataclass(frozen=True)
class Series:
    label: str
    values: Sequence[Fraction]  # one per group
    reference: bool = False


def _decimal(value: Fraction) -> Decimal:
    return Decimal(value.numerator) / Decimal(value.denominator)


def bar_chart(
    *, id: str, title: str, desc: str, groups: Sequence[str], series: Sequence[Series]
) -> Chart:
    """Lay out ``series`` (each with one value per group) as grouped horizontal bars."""
    top = max((v for s in series for v in s.values), default=Fraction(0))
    blocks = []
    y = 0
    for g, label in enumerate(groups):
        header_y = y + HEADER - 8
        y += HEADER
        bars = []
        colour = 0
        for s in series:
            value = s.values[g]
            width = 0 if value <= 0 or top <= 0 else max(1, round(value / top * BAR_MAX))
            if s.reference:
                fill = REFERENCE_FILL
            else:
                fill = FILLS[colour % len(FILLS)]
                colour += 1
            bars.append(
                Bar(
                    label=s.label,
                    value=_decimal(value),
                    y=y + (ROW - BAR_HEIGHT) // 2,
                    width=width,
                    fill=fill,
                    text_y=y + ROW - 6,
                    value_x=BAR_X + width + 6,
                    reference=s.reference,
                )
            )
            y += ROW
        blocks.append(Block(label=label, text_y=header_y, bars=tuple(bars)))
    return Chart(id=id, title=title, desc=desc, blocks=tuple(blocks), width=WIDTH, height=y + 4)
