"""Result charts as server-rendered SVG: a bar per option with the majority's threshold
marked, and stacked bars per group (province, network). No JavaScript, readable from
the back of a hall; the pages keep their tables for screen readers, and each chart has
a text alternative of its own.

Bars are drawn from the stored result (``core.voting.Result``): the same shares as the
percentages beside them, so a chart can never disagree with the table.
"""

from __future__ import annotations

import itertools
from decimal import Decimal
from fractions import Fraction

from django.template.defaultfilters import floatformat
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from besluit.core import voting as core

WIDTH = 1000
LABEL = 290  # the option names' column
BAR_END = 840  # the rest is for the percentage
# Pages (not the projector) are read on phones too: a narrower drawing with the same
# text size comes out larger on a small screen.
COMPACT = {"width": 640, "label": 190, "bar_end": 480, "font": 26, "row": 60, "bar": 38}
WIDE = {"width": WIDTH, "label": LABEL, "bar_end": BAR_END, "font": 30, "row": 72, "bar": 46}
FILLS = {"for": "#1a7f37", "against": "#c62828", "abstain": "#6e6e6e", "none": "#1f5fa8"}
_ids = itertools.count(1)


def pct(fraction, places: int = 1) -> str:
    """0.7106 -> '71,1%' in Dutch (the same rendering as the ``pct`` filter)."""
    return f"{floatformat(Decimal(str(fraction)) * 100, places)}%"


def css(key: str, is_abstention: bool) -> str:
    if is_abstention:
        return "abstain"
    return key if key in ("for", "against") else "none"


def threshold(result: core.Result, majority: str) -> tuple[Fraction | None, str]:
    """Where the majority lies on the scale of votes cast, and how to say it."""
    if majority == core.MajorityRule.TWO_THIRDS:
        return Fraction(2, 3), _("at least two thirds")
    if majority == core.MajorityRule.ABSOLUTE:
        if not result.cast_weight:
            return None, _("more than half of all weight")
        share = Fraction(result.eligible_weight) / (2 * Fraction(result.cast_weight))
        return (share if share <= 1 else None), _("more than half of all weight")
    return Fraction(1, 2), _("more than half")


def decision_words(result: core.Result, majority: str) -> str:
    """The decision in one sentence, with what was needed."""
    _t, needed = threshold(result, majority)
    if result.outcome == core.Outcome.NO_QUORUM:
        return _("No quorum: %(share)s of the weight took part.") % {
            "share": pct(result.turnout_weight)
        }
    if result.outcome == core.Outcome.NO_MAJORITY:
        return _("No majority: no alternative got %(needed)s of the votes cast.") % {
            "needed": needed
        }
    keys = {o.key for o in result.options}
    if "for" in keys:
        share = result.option("for").share or Decimal(0)
        if result.outcome == core.Outcome.ADOPTED:
            text = _("Adopted with %(share)s for; needed: %(needed)s.")
        else:
            text = _("Rejected with %(share)s for; needed: %(needed)s.")
        return text % {"share": pct(share, 2), "needed": needed}
    winner = result.option(result.winner)
    return _("Chosen: %(choice)s, with %(share)s; needed: %(needed)s.") % {
        "choice": winner.label,
        "share": pct(winner.share or 0, 2),
        "needed": needed,
    }


def _x(share, layout=WIDE) -> float:
    return layout["label"] + float(share) * (layout["bar_end"] - layout["label"])


# An option's name wider than its column would run under its bar: such a chart puts every
# name on a line of its own above its bar (the bars then start at the left edge). The
# width is estimated: an average glyph of a sans-serif font is about 0.55 em.
GLYPH_EM = 0.55


def _stacked(result: core.Result, layout: dict) -> dict:
    """``layout`` with the names above the bars when one does not fit in its column."""
    widest = max((len(o.label) for o in result.options), default=0) * layout["font"] * GLYPH_EM
    if widest <= layout["label"] - 12:
        return {**layout, "above": 0}
    return {**layout, "label": 0, "above": round(layout["font"] * 1.25)}


def result_svg(
    result: core.Result, majority: str, title: str, *, compact: bool = False
) -> SafeString:
    """One bar per option (share of the votes cast), the threshold as a dashed line."""
    layout = _stacked(result, COMPACT if compact else WIDE)
    label_x, above = layout["label"], layout["above"]
    row, bar, top = layout["row"] + above, layout["bar"], 54 + above
    height = top + row * len(result.options) + 8 - above
    uid = f"chart-{next(_ids)}"
    t, needed = threshold(result, majority)
    parts, values = [], []
    for i, o in enumerate(result.options):
        y = top + i * row
        mid = y + bar / 2
        kind = css(o.key, o.is_abstention)
        members = ngettext("%(n)s member", "%(n)s members", o.members) % {"n": o.members}
        parts.append(
            format_html(
                '<text x="0" y="{}" class="result-chart__label" dominant-baseline="middle">'
                "{}</text>",
                f"{mid - above:.0f}",  # above its bar, or beside it (above = 0)
                o.label,
            )
        )
        if o.share is None:
            parts.append(
                format_html(
                    '<text x="{}" y="{}" class="result-chart__note" dominant-baseline="middle" '
                    'font-size="{}">{} · {}</text>',
                    label_x,
                    f"{mid:.0f}",
                    round(layout["font"] * 0.75),
                    _("not counted as cast"),
                    members,
                )
            )
            continue
        end = _x(o.share, layout)
        parts.append(
            format_html(
                '<rect x="{}" y="{}" width="{}" height="{}" rx="4" fill="{}" '
                'class="result-chart__bar result-chart__bar--{}"/>',
                label_x,
                y,
                f"{max(end - label_x, 2):.1f}",
                bar,
                FILLS[kind],
                kind,
            )
        )
        values.append(
            format_html(
                '<text x="{}" y="{}" class="result-chart__value" dominant-baseline="middle">'
                '{}<tspan class="result-chart__members"> {}</tspan></text>',
                f"{end + 12:.1f}",
                f"{mid:.0f}",
                pct(o.share),
                f"({o.members})",
            )
        )
    counted = [i for i, o in enumerate(result.options) if o.share is not None]
    if t is not None and counted:
        x = f"{_x(t, layout):.1f}"
        bottom = top + counted[-1] * row + bar + 6  # not through the rows without a bar
        parts.append(  # over the bars, under the values (each with a halo: besluit.css)
            format_html(
                '<line x1="{}" x2="{}" y1="{}" y2="{}" class="result-chart__threshold" '
                'stroke="currentColor" stroke-width="4" stroke-dasharray="10 7"/>'
                '<text x="{}" y="30" text-anchor="middle" class="result-chart__threshold-label">'
                "{}</text>",
                x,
                x,
                top - 10 - above,
                bottom,
                x,
                needed,
            ),
        )
    parts.extend(values)
    not_cast = _("not counted as cast")
    summary = "; ".join(
        f"{o.label}: {pct(o.share) if o.share is not None else not_cast}" for o in result.options
    )
    return format_html(
        '<svg class="result-chart__svg" viewBox="0 0 {} {}" role="img" aria-labelledby="{}" '
        'xmlns="http://www.w3.org/2000/svg" font-size="{}" fill="currentColor">'
        '<title id="{}">{}</title>{}</svg>',
        layout["width"],
        height,
        uid,
        layout["font"],
        uid,
        _("%(title)s. %(summary)s. Threshold: %(needed)s.")
        % {"title": title, "summary": summary, "needed": needed},
        mark_safe("".join(parts)),
    )


def result_figure(poll, *, compact: bool = False) -> SafeString:
    """The decision in words, the chart, and turnout: for the projector and result pages."""
    result = poll.outcome
    if result is None:
        return mark_safe("")
    turnout = _("%(voted)s of %(eligible)s members voted, %(share)s of the weight.") % {
        "voted": result.voted_members,
        "eligible": result.eligible_members,
        "share": pct(result.turnout_weight, 0),
    }
    return format_html(
        '<figure class="result-chart result-chart--{}{}" data-poll="{}">'
        '<p class="result-chart__decision">{}</p>{}'
        '<figcaption class="result-chart__caption">{}</figcaption></figure>',
        result.outcome.value,
        " result-chart--compact" if compact else "",
        poll.public_id,
        decision_words(result, poll.majority),
        result_svg(result, poll.majority, poll.title, compact=compact),
        turnout,
    )


def group_svg(groups, majority: str, title: str) -> SafeString:
    """A stacked bar per group: each counted option's share of the group's votes cast.

    ``groups``: rows with ``name``, ``voted_members``, ``eligible_members`` and ``options``
    (``key``, ``label``, ``is_abstention``, ``share``), as ``web.presenting.GroupRow``.
    """
    # Narrow enough to stay legible on a phone (the table beside it has every number).
    layout = {"width": 640, "label": 200, "bar_end": 560, "font": 17}
    row, bar, top = 30, 22, 52
    height = top + row * len(groups) + 8
    uid = f"chart-{next(_ids)}"
    parts = []
    counted = [o for o in (groups[0].options if groups else []) if not o.is_abstention]
    for i, o in enumerate(counted):  # the legend
        x = layout["label"] + i * 150
        kind = css(o.key, o.is_abstention)
        parts.append(
            format_html(
                '<rect x="{}" y="8" width="22" height="22" fill="{}" '
                'class="result-chart__bar--{}"/><text x="{}" y="26">{}</text>',
                x,
                FILLS[kind],
                kind,
                x + 30,
                o.label,
            )
        )
    for i, g in enumerate(groups):
        y = top + i * row
        mid = y + bar / 2
        parts.append(
            format_html(
                '<text x="0" y="{}" dominant-baseline="middle">{} ({}/{})</text>',
                f"{mid:.0f}",
                g.name,
                g.voted_members,
                g.eligible_members,
            )
        )
        start = Decimal(0)
        for o in g.options:
            if o.share is None or not o.share:
                continue
            kind = css(o.key, o.is_abstention)
            parts.append(
                format_html(
                    '<rect x="{}" y="{}" width="{}" height="{}" fill="{}" '
                    'class="result-chart__bar result-chart__bar--{}"/>',
                    f"{_x(start, layout):.1f}",
                    y,
                    f"{_x(start + o.share, layout) - _x(start, layout):.1f}",
                    bar,
                    FILLS[kind],
                    kind,
                )
            )
            start += o.share
        lead = next((o for o in g.options if o.share is not None), None)
        if lead is not None:
            parts.append(
                format_html(
                    '<text x="{}" y="{}" dominant-baseline="middle">{}</text>',
                    layout["bar_end"] + 8,
                    f"{mid:.0f}",
                    pct(lead.share),
                )
            )
    t = Fraction(2, 3) if majority == core.MajorityRule.TWO_THIRDS else Fraction(1, 2)
    x = f"{_x(t, layout):.1f}"
    parts.append(
        format_html(
            '<line x1="{}" x2="{}" y1="{}" y2="{}" stroke="currentColor" stroke-width="2" '
            'stroke-dasharray="6 5" class="result-chart__threshold"/>',
            x,
            x,
            top - 6,
            height,
        )
    )
    return format_html(
        '<svg class="result-chart__svg result-chart__svg--groups" viewBox="0 0 {} {}" '
        'role="img" aria-labelledby="{}" xmlns="http://www.w3.org/2000/svg" font-size="{}" '
        'fill="currentColor"><title id="{}">{}</title>{}</svg>',
        layout["width"],
        height,
        uid,
        layout["font"],
        uid,
        title,
        mark_safe("".join(parts)),
    )
