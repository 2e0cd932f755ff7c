"""Template filters for weights, shares, result bars, and the one way to write dates,
times and numbers (``day``, ``moment``, ``clock``, ``number``: see besluit.formats)."""

from decimal import ROUND_HALF_UP, Decimal

from django import template
from django.template.defaultfilters import floatformat

from besluit import formats
from besluit.frame import charts

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
def tally(value) -> str:
    """{{ quota|tally }} -> '114,29': a count's value on a chart (besluit.formats.tally)."""
    return formats.tally(value)


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


@register.filter
def percent_value(fraction) -> str:
    """A fraction as a number on a 0-100 scale with a decimal point, for ``<progress
    max="100" value="…">`` and number inputs (never localised: 36.2, not 36,2)."""
    if fraction is None or fraction == "":
        return "0"
    value = (Decimal(str(fraction)) * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return format(value.normalize(), "f") if value else "0"


@register.filter
def majority_label(value: str) -> str:
    from besluit.voting.models import Poll

    return str(dict(Poll.Majority.choices).get(value, value))


@register.simple_tag
def result_chart(poll, wide: bool = False):
    """The result of a closed poll: the decision in words and an SVG bar chart (``wide``
    for the projector; pages get the compact drawing, legible on a phone)."""
    return charts.result_figure(poll, compact=not wide)


@register.simple_tag
def group_chart(groups, majority: str, title: str):
    """Stacked bars per province or network (the table beside it has the numbers)."""
    return charts.group_svg(list(groups), majority, title) if groups else ""


@register.simple_tag
def time_left(until) -> dict:
    """What is left until ``until``: {"seconds": n, "text": "nog 14 dagen"}. Long waits
    in days or hours (a written consultation), short ones in minutes:seconds."""
    from django.utils import timezone
    from django.utils.translation import gettext, ngettext

    seconds = max(0, int((until - timezone.now()).total_seconds()))
    if seconds <= 0:
        text = gettext("voting has closed")
    elif seconds >= 2 * 86400:
        days = seconds // 86400
        text = ngettext("%(n)s day left", "%(n)s days left", days) % {"n": days}
    elif seconds >= 3600:
        hours = seconds // 3600
        text = ngettext("%(n)s hour left", "%(n)s hours left", hours) % {"n": hours}
    else:
        minutes, rest = divmod(seconds, 60)
        text = f"{minutes}:{rest:02d}" if minutes else f"{rest} s"  # as countdown.js
    return {"seconds": seconds, "text": text}
