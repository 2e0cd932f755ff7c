"""Result charts: the bars are the stored shares, the threshold sits where the majority
rule puts it, the decision is in words, and option labels are escaped."""

import re
from decimal import Decimal
from fractions import Fraction

import pytest
from django.utils import translation

from besluit.core import voting as core
from besluit.frame import charts


def result(for_w, against_w, abstain_w=0, *, majority="simple", eligible=Decimal(100)):
    totals = {"for": (Decimal(for_w), 1), "against": (Decimal(against_w), 1)}
    if abstain_w:
        totals["abstain"] = (Decimal(abstain_w), 1)
    return core.decide(
        options=core.YES_NO,
        totals=totals,
        eligible_members=10,
        eligible_weight=eligible,
        rule=core.Rule(majority=majority),
    )


def bar_widths(svg: str) -> list[float]:
    return [float(w) for w in re.findall(r'<rect x="\d+" y="\d+" width="([\d.]+)"', svg)]


def threshold_x(svg: str) -> float:
    return float(re.search(r'<line x1="([\d.]+)"', svg).group(1))


@pytest.mark.parametrize(
    ("majority", "share"),
    [("simple", Fraction(1, 2)), ("two_thirds", Fraction(2, 3))],
)
def test_the_threshold_is_where_the_rule_puts_it(majority, share):
    svg = charts.result_svg(result(60, 40, majority=majority), majority, "Motie")
    expected = charts.LABEL + float(share) * (charts.BAR_END - charts.LABEL)
    assert abs(threshold_x(svg) - expected) < 0.1


def test_an_absolute_majority_is_measured_against_all_weight():
    # 30 for, 10 against of 100 eligible: half of all weight is 50, i.e. 125% of the cast
    # 40: beyond the scale, so no line; with 80 cast it lies at 50/80 of the bar.
    assert "<line" not in charts.result_svg(result(30, 10, majority="absolute"), "absolute", "x")
    svg = charts.result_svg(result(60, 20, majority="absolute"), "absolute", "x")
    expected = charts.LABEL + 50 / 80 * (charts.BAR_END - charts.LABEL)
    assert abs(threshold_x(svg) - expected) < 0.1


def test_bars_follow_the_shares_and_abstentions_get_no_bar():
    svg = charts.result_svg(result(75, 15, 10), "simple", "x")
    widths = bar_widths(svg)
    assert len(widths) == 2  # for and against; the abstention is not counted as cast
    assert abs(widths[0] / widths[1] - 5) < 0.01


def test_the_decision_is_in_words():
    with translation.override("nl"):
        assert charts.decision_words(result(60, 40), "simple") == (
            "Aangenomen met 60,00% voor; nodig: meer dan de helft."
        )
        assert charts.decision_words(result(60, 40, majority="two_thirds"), "two_thirds") == (
            "Verworpen met 60,00% voor; nodig: ten minste twee derde."
        )


def test_labels_are_escaped():
    r = core.decide(
        options=[core.Option("option-1", "<script>x</script>"), core.Option("option-2", "B")],
        totals={"option-1": (Decimal(3), 1), "option-2": (Decimal(1), 1)},
        eligible_members=2,
        eligible_weight=Decimal(4),
        rule=core.Rule(),
    )
    svg = charts.result_svg(r, "simple", "<b>title</b>")
    assert "<script>" not in svg and "&lt;script&gt;" in svg and "<b>" not in svg


def _alternatives(*labels: str):
    options = [core.Option(f"option-{i}", label) for i, label in enumerate(labels, 1)]
    totals = {o.key: (Decimal(3 - i), 1) for i, o in enumerate(options)}
    return core.decide(
        options=options,
        totals=totals,
        eligible_members=2,
        eligible_weight=Decimal(5),
        rule=core.Rule(),
    )


def _labels_and_bars(svg: str) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    labels = re.findall(r'<text x="(\d+)" y="(\d+)" class="result-chart__label"', svg)
    bars = re.findall(r'<rect x="(\d+)" y="(\d+)"', svg)
    return [(int(x), int(y)) for x, y in labels], [(int(x), int(y)) for x, y in bars]


@pytest.mark.parametrize("compact", [False, True])
def test_a_name_too_wide_for_its_column_stands_above_its_bar(compact):
    """A name wider than the names' column ran under its bar (the demo's "Jaarbeurs
    Utrecht" on a poll page): then every name has a line above its bar."""
    svg = charts.result_svg(
        _alternatives("Jaarbeurs Utrecht, Hal 1", "Spoorzone Zwolle"),
        "simple",
        "x",
        compact=compact,
    )
    labels, bars = _labels_and_bars(svg)
    assert [x for x, _y in bars] == [0, 0]  # the bars start at the left edge
    for (_lx, label_y), (_bx, bar_y) in zip(labels, bars, strict=True):
        assert label_y < bar_y  # the name's middle is above the bar's top
    short = charts.result_svg(_alternatives("Utrecht", "Zwolle"), "simple", "x", compact=compact)
    _labels, bars = _labels_and_bars(short)
    layout = charts.COMPACT if compact else charts.WIDE
    assert [x for x, _y in bars] == [layout["label"]] * 2  # short names keep their column
