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
