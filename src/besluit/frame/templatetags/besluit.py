"""Template filters for weights, shares, result bars, and the one way to write dates,
times and numbers (``day``, ``moment``, ``clock``, ``number``: see besluit.formats)."""

from decimal import ROUND_HALF_UP, Decimal

from django import template
from django.template.defaultfilters import floatformat

from besluit import formats

register = template.Library()


@register.filter
def day(value, style: str = "") -> str:
    """{{ meeting.starts_at|day }} -> '10 december 2026'; |day:"weekday" adds the day's name."""
    return formats.day(value, weekday=style == "weekday")


@register.filter
def moment(value, style: str = "") -> str:
    """{{ poll.closed_at|moment }} -> '6 december 2026 om 04:28'; styles "weekday", "seconds"."""
    return formats.moment(value, weekday="weekday" in style, seconds="seconds" in style)


@register.filter
def clock(value, style: str = "") -> str:
    """{{ poll.closes_at|clock }} -> '04:28'; |clock:"seconds" -> '04:28:09'."""
    return formats.clock(value, seconds=style == "seconds")


@register.filter
def number(value, places=None) -> str:
    """{{ 78105|number }} -> '78.105'; {{ x|number:2 }} -> '3,25'."""
    return formats.number(value, None if places in (None, "") else int(places))


@register.filter
def pct(fraction, places: int = 2) -> str:
    """0.9763 -> '97,63%' (decimal comma in Dutch, point in English)."""
    if fraction is None or fraction == "":
        return "–"
    value = Decimal(str(fraction)) * 100
    return f"{floatformat(value, int(places))}%"


@register.filter
def weight(value) -> str:
    """A weight without needless zeros: 12.000000 -> '12', 3.250000 -> '3,25'."""
    if value is None or value == "":
        return "–"
    d = Decimal(str(value)).normalize()
    places = max(0, -d.as_tuple().exponent)
    return floatformat(d, places)


def whole_percentages(values: list[Decimal]) -> list[int]:
    """Whole percentages summing to exactly 100 (largest remainder), for the CSS result bar."""
    total = sum(values, Decimal(0))
    if not total:
        return [0] * len(values)
    exact = [v * 100 / total for v in values]
    floors = [int(x.to_integral_value(rounding="ROUND_FLOOR")) for x in exact]
    missing = 100 - sum(floors)
    order = sorted(range(len(values)), key=lambda i: exact[i] - floors[i], reverse=True)
    for i in order[:missing]:
        floors[i] += 1
    return floors


@register.simple_tag
def result_segments(result) -> list[dict]:
    """Segments for the result bar: the options that count as votes cast, by their share.

    The same denominator as the percentages in the legend, so "Voor 71%" in the
    bar matches "71,06%" beside it. Abstentions that do not count are left out.
    """
    options = [o for o in result.options if o.share is not None]
    pcts = whole_percentages([o.weight for o in options])
    segments = []
    for option, p in zip(options, pcts, strict=True):
        css = option.key if option.key in ("for", "against") else "none"
        if option.is_abstention:
            css = "abstain"
        segments.append({"option": option, "pct": p, "css": css})
    return segments


@register.filter
def rounded(value, places: int = 2) -> Decimal:
    return Decimal(str(value)).quantize(Decimal(1).scaleb(-int(places)), rounding=ROUND_HALF_UP)
