"""Weight rules: brackets, proportional and square-root weights, shares, bracket text."""

from decimal import ROUND_HALF_UP, Context, Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from besluit.core.weights import (
    EXAMPLE_BRACKETS,
    Bracket,
    RuleKind,
    WeightRule,
    WeightRuleError,
    format_brackets,
    parse_brackets,
    shares,
    validate_rule,
    weight_for,
    weights_for,
)

EXAMPLE = WeightRule(RuleKind.BRACKETS, EXAMPLE_BRACKETS)


def rule(kind: RuleKind, per: str = "1", decimals: int = 2) -> WeightRule:
    return WeightRule(kind, per_inhabitants=Decimal(per), decimals=decimals)


@pytest.mark.parametrize(
    ("inhabitants", "votes"),
    [
        (0, 1),
        (9_999, 1),
        (10_000, 2),
        (19_999, 2),
        (20_000, 3),
        (49_999, 4),
        (50_000, 5),
        (499_999, 12),
        (500_000, 13),
        (899_999, 16),
        (900_000, 17),
        (931_298, 17),
        (10**12, 17),
    ],
)
def test_bracket_boundaries(inhabitants: int, votes: int) -> None:
    assert weight_for(EXAMPLE, inhabitants) == Decimal(votes)


def test_example_table_is_valid_and_monotone() -> None:
    validate_rule(EXAMPLE)
    assert [b.votes for b in EXAMPLE_BRACKETS] == sorted(b.votes for b in EXAMPLE_BRACKETS)


def test_brackets_use_votes_as_given() -> None:
    table = (Bracket(0, Decimal("0.5")), Bracket(100, Decimal("1.125")))
    assert weight_for(WeightRule(RuleKind.BRACKETS, table, decimals=0), 100) == Decimal("1.125")


def test_equal_is_one_member_one_vote() -> None:
    assert {weight_for(rule(RuleKind.EQUAL), n) for n in (0, 1, 10**9)} == {Decimal(1)}


@pytest.mark.parametrize(
    ("inhabitants", "per", "decimals", "expected"),
    [
        (12_345, "1000", 2, "12.35"),  # 12.345: half up, not half even
        (12_344, "1000", 2, "12.34"),
        (1_500, "1000", 0, "2"),
        (2_500, "1000", 0, "3"),  # banker's rounding would give 2
        (1, "3", 2, "0.33"),
        (2, "3", 2, "0.67"),
        (2, "3", 6, "0.666667"),
        (0, "1000", 2, "0.00"),
        (10**15 + 5, "10", 0, "100000000000001"),  # beyond a 28-digit context? exact anyway
        (7, "0.001", 1, "7000.0"),
    ],
)
def test_proportional_is_exact_and_rounds_half_up(
    inhabitants: int, per: str, decimals: int, expected: str
) -> None:
    weight = weight_for(rule(RuleKind.PROPORTIONAL, per, decimals), inhabitants)
    assert str(weight) == expected  # value and number of decimals


@pytest.mark.parametrize(
    ("inhabitants", "per", "decimals", "expected"),
    [
        (10_000, "1", 2, "100.00"),
        (2, "1", 6, "1.414214"),
        (225, "100", 0, "2"),  # sqrt(2.25) = 1.5 exactly: half up
        (25, "100", 0, "1"),  # sqrt(0.25) = 0.5 exactly: half up
        (0, "1", 2, "0.00"),
        (1, "1000000", 3, "0.001"),
        (931_298, "1000", 2, "30.52"),
    ],
)
def test_square_root_is_exact_and_rounds_half_up(
    inhabitants: int, per: str, decimals: int, expected: str
) -> None:
    weight = weight_for(rule(RuleKind.SQUARE_ROOT, per, decimals), inhabitants)
    assert str(weight) == expected


@given(
    inhabitants=st.integers(0, 10**10),
    per=st.decimals(min_value=Decimal("0.001"), max_value=Decimal(10**6), places=3),
    decimals=st.integers(0, 6),
)
def test_square_root_matches_high_precision_decimal(
    inhabitants: int, per: Decimal, decimals: int
) -> None:
    # Decimal's sqrt is correctly rounded; at 100 digits no tie can be misjudged.
    context = Context(prec=100)
    root = context.sqrt(context.divide(Decimal(inhabitants), per))
    expected = root.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP, context=context)
    assert weight_for(rule(RuleKind.SQUARE_ROOT, str(per), decimals), inhabitants) == expected


@given(
    kind=st.sampled_from(list(RuleKind)),
    per=st.decimals(min_value=Decimal("0.001"), max_value=Decimal(10**6), places=3),
    decimals=st.integers(0, 6),
    counts=st.lists(st.integers(0, 10**9), max_size=20),
)
def test_weights_for_a_register_are_each_members_weight(
    kind: RuleKind, per: Decimal, decimals: int, counts: list[int]
) -> None:
    rule_ = WeightRule(kind, EXAMPLE_BRACKETS, per_inhabitants=per, decimals=decimals)
    assert weights_for(rule_, counts) == [weight_for(rule_, n) for n in counts]


def test_weights_for_checks_the_rule_once_and_refuses_a_bad_one(monkeypatch) -> None:
    from besluit.core import weights

    calls = []
    real = weights.validate_rule
    monkeypatch.setattr(weights, "validate_rule", lambda r: calls.append(r) or real(r))
    weights_for(EXAMPLE, range(1000))
    assert len(calls) == 1
    bad = WeightRule(RuleKind.PROPORTIONAL, per_inhabitants=Decimal(0))
    with pytest.raises(WeightRuleError):
        weights_for(bad, [1, 2])
    with pytest.raises(ValueError, match="negative"):
        weights_for(EXAMPLE, [5, -1])


def test_negative_inhabitants_are_refused() -> None:
    for kind in RuleKind:
        with pytest.raises(ValueError, match="negative"):
            weight_for(WeightRule(kind, EXAMPLE_BRACKETS), -1)


def test_weight_for_validates_the_rule() -> None:
    with pytest.raises(WeightRuleError):
        weight_for(WeightRule(RuleKind.BRACKETS), 10)


# --- validation ----------------------------------------------------------------


def problems_of(rule: WeightRule) -> list[str]:
    with pytest.raises(WeightRuleError) as info:
        validate_rule(rule)
    return info.value.problems


def d(value: str) -> Decimal:
    return Decimal(value)


@pytest.mark.parametrize(
    ("brackets", "fragment"),
    [
        ((), "at least one bracket"),
        ((Bracket(0, d("1")), Bracket(0, d("2"))), "bracket 2: 0 inhabitants must be above"),
        ((Bracket(0, d("1")), Bracket(10, d("2")), Bracket(5, d("3"))), "bracket 3: 5 inhab"),
        ((Bracket(100, d("1")),), "bracket 1: the first bracket must start at 0"),
        ((Bracket(0, d("-1")),), "bracket 1: votes must not be negative"),
        ((Bracket(0, d("2")), Bracket(10, d("1"))), "bracket 2: votes must not decrease"),
        ((Bracket(0, d("NaN")),), "votes must be a number"),
    ],
)
def test_each_bracket_problem(brackets: tuple[Bracket, ...], fragment: str) -> None:
    problems = problems_of(WeightRule(RuleKind.BRACKETS, brackets))
    assert len(problems) == 1
    assert fragment in problems[0]


@pytest.mark.parametrize("per", ["0", "-5", "Infinity"])
def test_per_inhabitants_must_be_positive(per: str) -> None:
    assert "per_inhabitants" in problems_of(rule(RuleKind.PROPORTIONAL, per))[0]


@pytest.mark.parametrize("decimals", [-1, 7])
def test_decimals_between_0_and_6(decimals: int) -> None:
    assert "decimals" in problems_of(rule(RuleKind.SQUARE_ROOT, decimals=decimals))[0]


def test_every_problem_is_listed_at_once() -> None:
    bad = WeightRule(
        RuleKind.BRACKETS,
        (Bracket(5, d("3")), Bracket(5, d("-1"))),
        per_inhabitants=d("0"),
        decimals=9,
    )
    problems = problems_of(bad)
    assert len(problems) == 6  # start, negative, not ascending, decreasing, per, decimals
    assert str(WeightRuleError(problems)).count(";") == 5


def test_brackets_are_ignored_for_other_kinds() -> None:
    validate_rule(rule(RuleKind.PROPORTIONAL))  # no brackets needed


# --- monotonicity ----------------------------------------------------------------


@st.composite
def valid_rules(draw: st.DrawFn) -> WeightRule:
    kind = draw(st.sampled_from(RuleKind))
    lowers = draw(st.lists(st.integers(1, 10**7), unique=True, max_size=15))
    increments = draw(
        st.lists(
            st.decimals(min_value=0, max_value=100, places=2),
            min_size=len(lowers) + 1,
            max_size=len(lowers) + 1,
        )
    )
    votes, total = [], Decimal(0)
    for step in increments:
        total += step
        votes.append(total)
    brackets = tuple(map(Bracket, [0, *sorted(lowers)], votes))
    per = draw(st.decimals(min_value=Decimal("0.01"), max_value=Decimal(10**6), places=2))
    return WeightRule(kind, brackets, per, draw(st.integers(0, 6)))


@given(valid_rules(), st.integers(0, 2 * 10**7), st.integers(0, 2 * 10**7))
def test_weight_is_monotone_in_inhabitants(rule: WeightRule, a: int, b: int) -> None:
    low, high = sorted((a, b))
    assert weight_for(rule, low) <= weight_for(rule, high)


# --- shares --------------------------------------------------------------------


def test_shares_exact_when_representable() -> None:
    assert shares({"a": d("1"), "b": d("3")}) == {"a": d("0.25"), "b": d("0.75")}


def test_shares_of_thirds_sum_to_one_and_give_the_unit_to_the_first() -> None:
    result = shares({"a": d("1"), "b": d("1"), "c": d("1")}, places=4)
    assert result == {"a": d("0.3334"), "b": d("0.3333"), "c": d("0.3333")}
    assert sum(result.values()) == 1


def test_shares_all_zero_when_total_is_zero() -> None:
    assert shares({"a": d("0"), "b": d("0")}) == {"a": 0, "b": 0}
    assert shares({}) == {}


def test_shares_refuse_negative_weights_and_bad_places() -> None:
    with pytest.raises(ValueError):
        shares({"a": d("-1"), "b": d("2")})
    for places in (-1, 21):
        with pytest.raises(ValueError, match="places"):
            shares({"a": d("1")}, places=places)


@given(
    st.dictionaries(
        st.integers(),
        st.decimals(min_value=0, max_value=10**6, places=3),
        min_size=1,
        max_size=40,
    ),
    st.integers(0, 20),
)
def test_shares_sum_to_exactly_one(weights: dict[int, Decimal], places: int) -> None:
    result = shares(weights, places=places)
    total = sum(weights.values())
    assert result.keys() == weights.keys()
    if total == 0:
        assert set(result.values()) <= {0}
        return
    assert sum(result.values()) == 1
    unit = Fraction(1, 10**places)
    for key, weight in weights.items():
        assert abs(Fraction(result[key]) - Fraction(weight) / Fraction(total)) < unit


# --- bracket text ----------------------------------------------------------------


def test_parse_accepts_every_separator_and_decimal_comma() -> None:
    text = "# example\n0: 1\n\n10000 ; 2\n20.000,2,5\n30_000\t3.5\n  50000   4  \n"
    assert parse_brackets(text) == (
        Bracket(0, d("1")),
        Bracket(10_000, d("2")),
        Bracket(20_000, d("2.5")),
        Bracket(30_000, d("3.5")),
        Bracket(50_000, d("4")),
    )


def test_format_uses_colon_and_decimal_comma() -> None:
    brackets = (Bracket(0, d("1")), Bracket(10_000, d("2.50")), Bracket(20_000, d("1E+1")))
    assert format_brackets(brackets) == "0: 1\n10000: 2,50\n20000: 10"


def test_example_table_round_trips() -> None:
    assert parse_brackets(format_brackets(EXAMPLE_BRACKETS)) == EXAMPLE_BRACKETS


@given(valid_rules())
def test_parse_format_round_trip(rule: WeightRule) -> None:
    assert parse_brackets(format_brackets(rule.brackets)) == rule.brackets


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("0: 1\n10000: 2\nabc", "line 3: expected 'from_inhabitants votes'"),
        ("0: 1\n10000: -2", "line 2: votes must be a non-negative number"),
        ("0: 1\n10000: 2,5,5", "line 2: votes must be a non-negative number"),
        ("0: 1\n10.5: 2", "line 2: expected"),
        ("0: 1\n10000", "line 2: expected"),
        ("0: 1\n5000: 3\n4000: 4", "line 3: 4000 inhabitants must be above"),
        ("0: 2\n\n5000: 1", "line 3: votes must not decrease"),
        ("# only a comment\n\n", "no brackets given"),
        ("100: 1", "line 1: the first bracket must start at 0"),
        ("0: 1\n" + "9" * 5000 + ": 2", "line 2: 99999999999999999999... inhabitants is implaus"),
    ],
)
def test_parse_errors_name_the_line(text: str, fragment: str) -> None:
    with pytest.raises(WeightRuleError) as info:
        parse_brackets(text)
    assert any(fragment in problem for problem in info.value.problems), info.value.problems


def test_parse_reports_every_bad_line() -> None:
    with pytest.raises(WeightRuleError) as info:
        parse_brackets("0: 1\nx\n2000: y\nz z z")
    assert [p.split(":")[0] for p in info.value.problems] == ["line 2", "line 3", "line 4"]
