"""The voting power service: weights per rule, exactness, rounding, aggregates, cache."""

import io
from datetime import date
from decimal import Decimal
from fractions import Fraction as F

import pytest

from besluit import csvsafe
from besluit.analysis import power
from besluit.associations.services import do_override_weight
from besluit.core import power as core_power
from besluit.core import power_analysis as compute
from besluit.core import weights as core_weights
from besluit.core.power_analysis import interactive_game, size_class
from besluit.errors import ValidationFailed
from tests import factories

pytestmark = pytest.mark.django_db

DAY = date(2026, 6, 1)
ALL = ["current", "brackets", "proportional", "sqrt", "equal"]


def run(association, keys=ALL, **kwargs):
    return power.analyse(association, rules=power.rules_for(keys), on=DAY, **kwargs)


def inhabitants(association) -> list[int]:
    return [
        m.populations.order_by("-reference_date").first().inhabitants
        for m in association.members.order_by("name")
    ]


def with_weights(n: int, weights: list[str]):
    """An association whose members have the given weights (as overrides), in name order."""
    association = factories.make_association(n, slug=f"w{n}")
    for m, w in zip(association.members.order_by("name"), weights, strict=True):
        do_override_weight(actor=None, member=m, weight=Decimal(w), reason="test")
    return association


# --- pure part -----------------------------------------------------------------------


def test_size_classes_have_documented_bounds():
    assert [size_class(n) for n in (0, 9_999, 10_000, 24_999, 25_000)] == [
        "lt10k", "lt10k", "10k-25k", "10k-25k", "25k-50k",
    ]  # fmt: skip
    assert [size_class(n) for n in (99_999, 100_000, 249_999, 250_000, 930_000)] == [
        "50k-100k", "100k-250k", "100k-250k", "250k+", "250k+",
    ]  # fmt: skip
    assert size_class(None) == "unknown"


def test_small_totals_are_not_rounded():
    weights = [Decimal("2.5"), Decimal(1), Decimal(1)]
    game = interactive_game(weights, "simple")
    assert game.exact and game.resolution is None
    assert game.game == core_power.make_game(weights, "simple")
    assert game.max_share_error == 0


def test_large_totals_are_rounded_to_a_1_2_5_resolution_within_the_limit():
    weights = [Decimal(n) for n in (1_043, 20_000, 250_000, 931_640, 15_000_000)]
    game = interactive_game(weights, "simple", max_total=20_000)
    assert not game.exact
    assert game.resolution == Decimal(1000)
    assert game.game.weights == (1, 20, 250, 932, 15_000)  # 1,043 -> 1; half up
    assert game.game.total <= 20_000
    assert game.exact_total == sum(weights)
    exact = [F(int(w), int(sum(weights))) for w in weights]
    rounded = [F(w, game.game.total) for w in game.game.weights]
    assert game.max_share_error == max(abs(a - b) for a, b in zip(rounded, exact, strict=True))
    # Finer limits give finer resolutions, from the 1-2-5 series. The limit is on the
    # game's total after dividing by the common factor: at 100 all rounded weights are even.
    assert interactive_game(weights, "simple", max_total=100_000).resolution == Decimal(100)
    assert interactive_game(weights, "simple", max_total=50_000).resolution == Decimal(500)


def test_rounding_never_turns_a_member_with_weight_into_a_dummy_by_itself():
    game = interactive_game([Decimal(1), Decimal(10**6), Decimal(10**6)], "simple", max_total=100)
    assert game.game.weights[0] == 1
    assert game.resolution == Decimal(50_000)


# --- the service ---------------------------------------------------------------------


def test_aggregates_and_members_sum_to_one_under_every_rule(association):
    analysis = run(association)
    assert [r.key for r in analysis.rules] == ALL
    assert sum(m.population_share for m in analysis.members) == 1
    for rule in analysis.rules:
        for measure in ("weight_share", "banzhaf", "shapley_shubik"):
            assert sum(getattr(p, measure) for p in rule.members) == 1, (rule.key, measure)
        # The fixture's networks do not overlap, so "network" partitions the members too.
        for grouping in ("size", "network", "province"):
            groups = rule.groups[grouping]
            assert sum(g.members for g in groups) == len(analysis.members)
            assert sum(g.inhabitants for g in groups) == analysis.inhabitants
            for measure in ("population_share", "weight_share", "banzhaf", "shapley_shubik"):
                total = sum(getattr(g, measure) for g in groups)
                assert total == 1, (rule.key, grouping, measure)


def test_groups_are_in_documented_order_with_labels(association):
    analysis = run(association, ["current"])
    rule = analysis.rule("current")
    assert [g.key for g in rule.groups["network"]] == ["G4", "K80", "(none)"]
    assert [g.members for g in rule.groups["network"]] == [2, 3, 7]
    assert str(rule.groups["network"][-1].label) == "no network"
    order = [c.key for c in compute.SIZE_CLASSES]
    keys = [g.key for g in rule.groups["size"]]
    assert keys == sorted(keys, key=order.index)
    provinces = [g.key for g in rule.groups["province"]]
    assert provinces == sorted(provinces, key=str.casefold)


def test_ratio_is_power_share_over_population_share(association):
    rule = run(association, ["proportional"]).rule("proportional")
    for p in rule.members:
        assert p.banzhaf_ratio == p.banzhaf / p.member.population_share
        assert p.weight_share == p.member.population_share  # one vote per inhabitant
    for g in rule.groups["size"]:
        assert g.shapley_shubik_ratio == g.shapley_shubik / g.population_share


def test_a_bracket_table_is_computed_exactly_without_rounding(association):
    analysis = run(association, ["current", "brackets"])
    table = core_weights.WeightRule(
        core_weights.RuleKind.BRACKETS, brackets=core_weights.EXAMPLE_BRACKETS
    )
    weights = [core_weights.weight_for(table, n) for n in inhabitants(association)]
    game = core_power.make_game(weights, "simple")
    for key in ("current", "brackets"):
        rule = analysis.rule(key)
        assert rule.exact and rule.resolution is None
        assert rule.game.max_share_error == 0
        assert rule.game.game == game
        assert [p.weight for p in rule.members] == weights
        assert tuple(p.banzhaf for p in rule.members) == core_power.banzhaf(game)
        assert tuple(p.shapley_shubik for p in rule.members) == core_power.shapley_shubik(game)


def test_proportional_weights_are_rounded_and_say_so(association):
    rule = run(association, ["proportional", "equal"]).rule("proportional")
    total = sum(inhabitants(association))
    assert not rule.exact
    assert rule.resolution is not None
    assert str(rule.resolution.normalize()).lstrip("0")[0] in "125"
    assert rule.game.exact_total == total  # one vote per inhabitant, gcd 1 here
    assert rule.scaled_total <= compute.MAX_INTERACTIVE_TOTAL
    assert 0 < rule.game.max_share_error < F(1, 1000)
    # Weight shares are the exact ones, not the rounded ones.
    assert [p.weight_share for p in rule.members] == [F(n, total) for n in inhabitants(association)]
    # One member one vote stays exact.
    assert run(association, ["equal"]).rule("equal").exact


def test_known_game_end_to_end_with_overrides():
    # Weights 50, 49, 1 with a simple majority (51 of 100): Banzhaf 3/5, 1/5, 1/5 and
    # Shapley-Shubik 2/3, 1/6, 1/6 (every pair wins, nobody alone).
    association = with_weights(3, ["50", "49", "1"])
    rule = run(association, ["current", "equal"]).rule("current")
    assert [p.weight for p in rule.members] == [50, 49, 1]
    assert [p.banzhaf for p in rule.members] == [F(3, 5), F(1, 5), F(1, 5)]
    assert [p.shapley_shubik for p in rule.members] == [F(2, 3), F(1, 6), F(1, 6)]
    assert rule.dummies == ()
    assert rule.minimum_winning_size == 2
    coalition = rule.smallest_winning_coalition
    assert [m.name for m in coalition.members] == [
        rule.members[0].member.name,
        rule.members[2].member.name,
    ]
    assert coalition.weight == 51 and coalition.weight_share == F(51, 100)
    assert "3 fixed weights (overrides)" in rule.description


def test_dummies_and_two_thirds_quota():
    # Weights 3, 1, 1: the first alone has 60% (> half): a dictator, the others dummies.
    association = with_weights(3, ["3", "1", "1"])
    rule = run(association, ["current"]).rule("current")
    assert [p.banzhaf for p in rule.members] == [1, 0, 0]
    assert [p.dummy for p in rule.members] == [False, True, True]
    assert len(rule.dummies) == 2 and rule.minimum_winning_size == 1
    # With two thirds (4 of 5) the first needs one other: no dummies any more.
    two_thirds = run(association, ["current"], quota="two_thirds").rule("current")
    assert two_thirds.quota_units == 4
    assert two_thirds.dummies == () and two_thirds.minimum_winning_size == 2
    # A swings in AB, AC and ABC; B only in AB, C only in AC.
    assert [p.banzhaf for p in two_thirds.members] == [F(3, 5), F(1, 5), F(1, 5)]


def test_overrides_count_only_for_the_current_rule(association):
    first = association.members.order_by("name").first()
    do_override_weight(actor=None, member=first, weight=Decimal("99"), reason="statutes")
    analysis = run(association, ["current", "brackets"])
    assert analysis.rule("current").members[0].weight == 99
    assert analysis.rule("brackets").members[0].weight != 99


def test_draft_table_is_analysed_and_never_saved(association):
    draft = core_weights.parse_brackets("0: 1\n50000: 3\n200000: 6")
    before = association.weight_rules.count()
    analysis = power.analyse(association, rules=power.rules_for(["current"], draft=draft), on=DAY)
    rule = analysis.rule(power.DRAFT)
    assert rule.exact and str(rule.label) == "Draft bracket table"
    assert set(p.weight for p in rule.members) <= {1, 3, 6}
    assert association.weight_rules.count() == before


def test_results_are_cached_per_weights_and_quota(association, monkeypatch):
    first = run(association, ["current", "proportional"])
    assert not any(r.from_cache for r in first.rules)

    def boom(game):
        raise AssertionError("computed again")

    monkeypatch.setattr(compute, "compute", boom)
    again = run(association, ["current", "proportional"])
    assert all(r.from_cache for r in again.rules)
    assert [p.banzhaf for p in again.rule("proportional").members] == [
        p.banzhaf for p in first.rule("proportional").members
    ]
    # Another quota is another game: not from the cache.
    with pytest.raises(AssertionError, match="computed again"):
        run(association, ["current"], quota="two_thirds")


def test_the_same_weights_share_one_cache_entry(association):
    # The example bracket table is the fixture's current rule: one computation for both.
    analysis = run(association, ["current", "brackets"])
    assert [r.from_cache for r in analysis.rules] == [False, True]


def test_refusals(association):
    with pytest.raises(ValidationFailed, match="Unknown rule 'cube'"):
        power.rules_for(["cube"])
    with pytest.raises(ValidationFailed, match="Unknown quota"):
        run(association, ["current"], quota="unanimous")
    with pytest.raises(ValidationFailed, match="No weight rule is in force"):
        power.analyse(association, rules=power.rules_for(["equal"]), on=date(1999, 1, 1))


def test_a_refused_game_falls_back_to_a_coarser_resolution(association, monkeypatch):
    # As if the core refused every Shapley-Shubik table above 2,000 units (it refuses
    # tables above 300 MB, which more members reach at fewer units).
    real = core_power.shapley_shubik

    def limited(game):
        if game.total > 2_000:
            raise core_power.PowerError("table too large")
        return real(game)

    monkeypatch.setattr(compute.core_power, "shapley_shubik", limited)
    rule = run(association, ["proportional"]).rule("proportional")
    assert rule.scaled_total <= 2_000 < compute.MAX_INTERACTIVE_TOTAL
    assert sum(p.shapley_shubik for p in rule.members) == 1
    fine = interactive_game([p.weight for p in rule.members], "simple")
    assert rule.resolution > fine.resolution


def test_interactive_games_stop_when_every_weight_is_one_unit():
    games = list(compute.interactive_games([Decimal(1000), Decimal(3000)], "simple", max_total=10))
    # Exact (1, 3) first; then only resolutions that make the game coarser: 2000 gives
    # (1, 2) (half up), 5000 gives (1, 1) (a positive weight stays at least one unit).
    assert [g.resolution for g in games] == [None, Decimal(2000), Decimal(5000)]
    assert [g.game.weights for g in games] == [(1, 3), (1, 2), (1, 1)]


def test_rule_descriptions():
    kind = core_weights.RuleKind
    rule = core_weights.WeightRule
    assert power.describe(compute.ALTERNATIVES["proportional"]) == "1 vote per inhabitant"
    assert power.describe(compute.ALTERNATIVES["sqrt"]) == (
        "square root of the inhabitants, to 2 decimals"
    )
    assert power.describe(rule(kind.PROPORTIONAL, per_inhabitants=Decimal(1000))) == (
        "1 vote per 1000 inhabitants, to 2 decimals"
    )
    assert power.describe(compute.ALTERNATIVES["equal"]) == "every member has 1 vote"
    assert power.describe(compute.ALTERNATIVES["brackets"]) == (
        "bracket table: 17 brackets, 1 to 17 votes"
    )


def test_csv_cells_never_start_like_a_formula():
    # The cells are neutralised by the one CSV writer (besluit.csvsafe); a number stays one.
    out = io.StringIO()
    cells = [power._cell(v) for v in ("=HYPERLINK()", "-2", "Testgemeente", F(1, 8), None)]
    csvsafe.writer(out, lineterminator="\n").writerow(cells)
    assert out.getvalue() == "'=HYPERLINK(),-2,Testgemeente,0.1250000000,\n"
