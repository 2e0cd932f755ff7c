"""The voting core: properties over random polls, then tables of known cases.

No Django and no database: run with ``-p no:django`` if you like.
"""

import json
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from besluit.core.voting import (
    YES_NO,
    AbstentionRule,
    Ballot,
    GroupResult,
    MajorityRule,
    Option,
    OptionTotal,
    Outcome,
    Result,
    Rule,
    TallyError,
    Voter,
    decide,
    tally,
)

D = Decimal
GROUPS = ["province:Utrecht", "province:Zeeland", "network:G40", "network:P10"]
ALTERNATIVES = (
    Option("board", "Voorstel bestuur"),
    Option("amended", "Geamendeerd voorstel"),
    Option("against_both", "Tegen beide"),
)


# --- strategies -------------------------------------------------------------

weights = st.decimals(min_value=0, max_value=100_000, places=3, allow_nan=False)
rules = st.builds(
    Rule,
    majority=st.sampled_from(MajorityRule),
    abstentions=st.sampled_from(AbstentionRule),
    quorum=st.decimals(min_value=0, max_value=1, places=3),
)


@st.composite
def option_sets(draw: st.DrawFn) -> tuple[Option, ...]:
    if draw(st.booleans()):
        return YES_NO if draw(st.booleans()) else YES_NO[:2]
    keys = draw(st.lists(st.sampled_from("abcdef"), min_size=1, max_size=5, unique=True))
    options = [Option(k, k.upper()) for k in keys]
    for n in range(draw(st.integers(0, 2))):
        options.append(Option(f"blank{n}", "Blanco", is_abstention=True))
    return tuple(draw(st.permutations(options)))


@st.composite
def polls(draw: st.DrawFn) -> tuple[list[Voter], list[Ballot], tuple[Option, ...], Rule]:
    ids = draw(st.lists(st.integers(1, 10_000), min_size=1, max_size=60, unique=True))
    register = [
        Voter(
            member_id=i,
            weight=draw(weights),
            groups=frozenset(draw(st.lists(st.sampled_from(GROUPS), max_size=3))),
        )
        for i in ids
    ]
    options = draw(option_sets())
    voting = draw(st.lists(st.sampled_from(ids), unique=True))
    ballots = [Ballot(i, draw(st.sampled_from(options)).key) for i in voting]
    return register, ballots, options, draw(rules)


# --- an independent, deliberately naive count -------------------------------


def naive_totals(register, ballots, options):
    """Plain loops over everything: (weight, members) per option key."""
    totals = {}
    for option in options:
        weight, members = D(0), 0
        for ballot in ballots:
            if ballot.option_key == option.key:
                for voter in register:
                    if voter.member_id == ballot.member_id:
                        weight += voter.weight
                        members += 1
        totals[option.key] = (weight, members)
    return totals


def naive_weight(voters):
    total = D(0)
    for voter in voters:
        total += voter.weight
    return total


# --- properties --------------------------------------------------------------


@settings(deadline=None)
@given(polls())
def test_tally_equals_naive_sums(poll):
    register, ballots, options, rule = poll
    result = tally(register=register, ballots=ballots, options=options, rule=rule, by_group=True)

    totals = naive_totals(register, ballots, options)
    assert [t.key for t in result.options] == [o.key for o in options]
    for total in result.options:
        assert (total.weight, total.members) == totals[total.key]
    assert result.eligible_members == len(register)
    assert result.eligible_weight == naive_weight(register)
    assert result.voted_members == len(ballots)
    voted = [v for v in register if any(b.member_id == v.member_id for b in ballots)]
    assert result.voted_weight == naive_weight(voted)
    assert result.quorum_required_weight == rule.quorum * naive_weight(register)

    names = sorted({g for v in register for g in v.groups})
    assert [g.group for g in result.groups] == names
    for group in result.groups:
        members = [v for v in register if group.group in v.groups]
        member_ids = {v.member_id for v in members}
        group_ballots = [b for b in ballots if b.member_id in member_ids]
        group_totals = naive_totals(members, group_ballots, options)
        assert group.eligible_members == len(members)
        assert group.eligible_weight == naive_weight(members)
        assert group.voted_members == len(group_ballots)
        assert group.voted_weight == sum((w for w, _ in group_totals.values()), D(0))
        for total in group.options:
            assert (total.weight, total.members) == group_totals[total.key]


@settings(deadline=None)
@given(polls())
def test_shares_of_votes_cast_sum_to_one(poll):
    register, ballots, options, rule = poll
    result = tally(register=register, ballots=ballots, options=options, rule=rule, by_group=True)

    for block in (result, *result.groups):
        counted = [
            t
            for t in block.options
            if not t.is_abstention or rule.abstentions is AbstentionRule.AS_CAST
        ]
        cast = sum((t.weight for t in counted), D(0))
        if cast == 0:
            assert all(t.share is None for t in block.options)
            continue
        assert all(D(0) <= t.share <= 1 for t in counted)
        # Exact when the fractions terminate; 28 significant digits otherwise (1/3).
        assert abs(sum(t.share for t in counted) - 1) <= len(counted) * D("1e-27")
        if rule.abstentions is AbstentionRule.NOT_CAST:
            assert all(t.share is None for t in block.options if t.is_abstention)
    if result.cast_weight:
        assert result.cast_weight == sum(
            (t.weight for t in result.options if t.share is not None), D(0)
        )


@settings(deadline=None)
@given(polls(), st.randoms(use_true_random=False))
def test_ballot_and_register_order_do_not_matter(poll, rnd):
    register, ballots, options, rule = poll
    result = tally(register=register, ballots=ballots, options=options, rule=rule, by_group=True)
    shuffled_ballots, shuffled_register = list(ballots), list(register)
    rnd.shuffle(shuffled_ballots)
    rnd.shuffle(shuffled_register)
    again = tally(
        register=shuffled_register,
        ballots=iter(shuffled_ballots),  # any iterable, consumed once
        options=options,
        rule=rule,
        by_group=True,
    )
    assert again == result


@settings(deadline=None)
@given(polls())
def test_secret_path_equals_named_path(poll):
    register, ballots, options, rule = poll
    named = tally(register=register, ballots=ballots, options=options, rule=rule)
    secret = decide(
        options=options,
        totals=naive_totals(register, ballots, options),
        eligible_members=len(register),
        eligible_weight=naive_weight(register),
        rule=rule,
    )
    assert secret == named


@settings(deadline=None)
@given(polls())
def test_stored_result_round_trips_exactly(poll):
    register, ballots, options, rule = poll
    result = tally(register=register, ballots=ballots, options=options, rule=rule, by_group=True)
    stored = json.loads(json.dumps(result.to_dict()))
    restored = Result.from_dict(stored)
    assert restored == result
    assert restored.to_dict() == stored  # same digits, not just equal values


@settings(deadline=None)
@given(polls(), st.data())
def test_a_vote_moved_to_for_never_undoes_adoption(poll, data):
    register, ballots, _, rule = poll
    ballots = [Ballot(b.member_id, data.draw(st.sampled_from(YES_NO)).key) for b in ballots]
    before = tally(register=register, ballots=ballots, options=YES_NO, rule=rule)
    member = data.draw(st.sampled_from([v.member_id for v in register]))
    moved = [b for b in ballots if b.member_id != member] + [Ballot(member, "for")]
    after = tally(register=register, ballots=moved, options=YES_NO, rule=rule)
    if before.outcome is Outcome.ADOPTED:
        assert after.outcome is Outcome.ADOPTED


# --- tables ------------------------------------------------------------------


SIMPLE = Rule()
TWO_THIRDS = Rule(majority=MajorityRule.TWO_THIRDS)
ABSOLUTE = Rule(majority=MajorityRule.ABSOLUTE)
AS_CAST = Rule(abstentions=AbstentionRule.AS_CAST)
TWO_THIRDS_AS_CAST = Rule(MajorityRule.TWO_THIRDS, AbstentionRule.AS_CAST)


def yes_no_poll(for_, against, abstain="0", *, eligible=None, rule=SIMPLE):
    """A yes/no poll from weights; each non-zero total counts as one member."""
    weights = {"for": D(for_), "against": D(against), "abstain": D(abstain)}
    totals = {k: (w, 1 if w else 0) for k, w in weights.items()}
    return decide(
        options=YES_NO,
        totals=totals,
        eligible_members=3,
        eligible_weight=D(eligible) if eligible is not None else sum(weights.values()),
        rule=rule,
    )


@pytest.mark.parametrize(
    ("for_", "against", "abstain", "eligible", "rule", "outcome"),
    [
        # simple majority of the weighted votes cast
        ("51", "49", "0", None, SIMPLE, Outcome.ADOPTED),
        ("49", "51", "0", None, SIMPLE, Outcome.REJECTED),
        ("50.001", "50", "0", None, SIMPLE, Outcome.ADOPTED),
        ("50", "50", "0", None, SIMPLE, Outcome.REJECTED),  # a tie rejects
        ("0", "0", "0", None, SIMPLE, Outcome.REJECTED),  # nobody voted, quorum 0
        ("0", "0", "5", None, SIMPLE, Outcome.REJECTED),  # only abstentions: nothing cast
        # two thirds of the votes cast (BW 2:43)
        ("200", "100", "0", None, TWO_THIRDS, Outcome.ADOPTED),  # exactly 2/3
        ("199.999", "100.001", "0", None, TWO_THIRDS, Outcome.REJECTED),  # just below
        ("2", "1", "50", None, TWO_THIRDS, Outcome.ADOPTED),  # abstentions not cast
        (
            "200",
            "100",
            "1",
            None,
            Rule(MajorityRule.TWO_THIRDS, AbstentionRule.AS_CAST),
            Outcome.REJECTED,
        ),
        # absolute majority: more than half of all eligible weight
        ("40", "0", "0", "100", SIMPLE, Outcome.ADOPTED),
        ("40", "0", "0", "100", ABSOLUTE, Outcome.REJECTED),  # 100% for, low turnout
        ("50", "0", "0", "100", ABSOLUTE, Outcome.REJECTED),  # exactly half is not more
        ("50.001", "49.999", "0", "100", ABSOLUTE, Outcome.ADOPTED),
        # abstentions: not cast (default) versus cast
        ("40", "30", "35", None, SIMPLE, Outcome.ADOPTED),  # 40 of 70
        ("40", "30", "35", None, AS_CAST, Outcome.REJECTED),  # 40 of 105
        ("40", "0", "40", None, AS_CAST, Outcome.REJECTED),  # 40 of 80: a tie
    ],
)
def test_yes_no_outcomes(for_, against, abstain, eligible, rule, outcome):
    result = yes_no_poll(for_, against, abstain, eligible=eligible, rule=rule)
    assert result.outcome == outcome
    assert result.winner == ("for" if outcome == Outcome.ADOPTED else None)
    assert result.quorum_met


def test_abstention_shares_follow_the_rule():
    not_cast = yes_no_poll("40", "30", "35")
    assert not_cast.cast_weight == D(70)
    assert not_cast.option("for").share == D(40) / D(70)
    assert not_cast.option("abstain").share is None

    as_cast = yes_no_poll("40", "30", "35", rule=AS_CAST)
    assert as_cast.cast_weight == D(105)
    assert as_cast.option("abstain").share == D(35) / D(105)
    assert as_cast.voted_weight == not_cast.voted_weight == D(105)


@pytest.mark.parametrize(
    ("voted", "outcome"),
    [
        ("50", Outcome.ADOPTED),  # exactly the quorum
        ("49.999", Outcome.NO_QUORUM),  # just below
        ("100", Outcome.ADOPTED),
    ],
)
def test_quorum_boundary(voted, outcome):
    result = yes_no_poll(voted, "0", eligible="100", rule=Rule(quorum=D("0.5")))
    assert result.quorum_required_weight == D(50)
    assert result.quorum_met is (outcome != Outcome.NO_QUORUM)
    assert result.outcome == outcome
    if outcome == Outcome.NO_QUORUM:
        assert result.winner is None


def test_abstentions_count_for_the_quorum():
    result = yes_no_poll("10", "0", "40", eligible="100", rule=Rule(quorum=D("0.5")))
    assert result.quorum_met
    assert result.outcome == Outcome.ADOPTED


def test_quorum_zero_is_met_with_nobody_voting():
    result = tally(
        register=[Voter(1, D(3)), Voter(2, D(5))], ballots=[], options=YES_NO, rule=Rule()
    )
    assert result.quorum_met
    assert result.outcome == Outcome.REJECTED
    assert result.turnout_members == 0
    assert result.cast_weight == 0
    assert all(t.share is None for t in result.options)


def alternatives(board, amended, against_both, rule=SIMPLE):
    totals = {
        "board": (D(board), 1),
        "amended": (D(amended), 1),
        "against_both": (D(against_both), 1),
    }
    return decide(
        options=ALTERNATIVES,
        totals=totals,
        eligible_members=3,
        eligible_weight=sum(D(w) for w, _ in totals.values()),
        rule=rule,
    )


def test_alternatives_62_34_4_adopts_the_board_proposal():
    result = alternatives("62", "34", "4")
    assert result.outcome == Outcome.ADOPTED
    assert result.winner == "board"
    assert [t.share for t in result.options] == [D("0.62"), D("0.34"), D("0.04")]


@pytest.mark.parametrize(
    ("weights", "rule", "winner"),
    [
        (("40", "35", "25"), SIMPLE, None),  # nobody above half
        (("50", "50", "0"), SIMPLE, None),  # a tie picks nobody
        (("50", "0", "50"), SIMPLE, None),
        (("62", "34", "4"), TWO_THIRDS, None),
        (("10", "20", "70"), SIMPLE, "against_both"),  # the caller reads what that means
        (("67", "33", "0"), TWO_THIRDS, "board"),
        (("0", "0", "0"), SIMPLE, None),
    ],
)
def test_alternatives(weights, rule, winner):
    result = alternatives(*weights, rule=rule)
    assert result.winner == winner
    assert result.outcome == (Outcome.ADOPTED if winner else Outcome.NO_MAJORITY)


def test_yes_no_can_be_forced_either_way():
    tie = {"for": (D(5), 1), "against": (D(5), 1)}
    common = {"options": YES_NO[:2], "totals": tie, "eligible_members": 2, "rule": SIMPLE}
    assert decide(**common, eligible_weight=D(10)).outcome == Outcome.REJECTED
    assert decide(**common, eligible_weight=D(10), yes_no=False).outcome == Outcome.NO_MAJORITY
    with pytest.raises(TallyError):
        decide(
            **{**common, "options": ALTERNATIVES, "totals": {}}, eligible_weight=D(0), yes_no=True
        )


def test_turnout_in_members_and_weight():
    register = [Voter(i, D(i)) for i in range(1, 5)]  # weights 1..4, total 10
    ballots = [Ballot(1, "for"), Ballot(4, "abstain")]
    result = tally(register=register, ballots=ballots, options=YES_NO, rule=Rule())
    assert (result.voted_members, result.eligible_members) == (2, 4)
    assert result.turnout_members == D("0.5")
    assert result.turnout_weight == D("0.5")
    assert result.option("for").share == 1
    with pytest.raises(KeyError):
        result.option("maybe")


def test_breakdown_per_province_and_network():
    utrecht, zeeland, g40 = "province:Utrecht", "province:Zeeland", "network:G40"
    register = [
        Voter(344, D(9), frozenset({utrecht, g40})),  # Utrecht
        Voter(307, D(5), frozenset({utrecht, g40})),  # Amersfoort
        Voter(352, D(1), frozenset({utrecht})),  # Wijk bij Duurstede
        Voter(687, D(3), frozenset({zeeland, g40})),  # Middelburg
        Voter(677, D(2), frozenset({zeeland})),  # Hulst
        Voter(999, D(1)),  # no group: counts overall only
    ]
    ballots = [
        Ballot(344, "for"),
        Ballot(307, "against"),
        Ballot(352, "abstain"),
        Ballot(687, "for"),
        Ballot(999, "against"),
    ]
    result = tally(register=register, ballots=ballots, options=YES_NO, rule=Rule(), by_group=True)

    assert result.option("for").weight == D(12)
    assert result.option("against").weight == D(6)
    assert result.outcome == Outcome.ADOPTED
    assert [g.group for g in result.groups] == [g40, utrecht, zeeland]
    by_name = {g.group: g for g in result.groups}

    def weights_of(group: GroupResult) -> dict[str, tuple[Decimal, int, Decimal | None]]:
        return {t.key: (t.weight, t.members, t.share) for t in group.options}

    assert by_name[g40].eligible_members == 3
    assert by_name[g40].eligible_weight == D(17)
    assert (by_name[g40].voted_members, by_name[g40].voted_weight) == (3, D(17))
    assert weights_of(by_name[g40]) == {
        "for": (D(12), 2, D(12) / D(17)),
        "against": (D(5), 1, D(5) / D(17)),
        "abstain": (D(0), 0, None),
    }
    assert (by_name[utrecht].eligible_members, by_name[utrecht].eligible_weight) == (3, D(15))
    assert (by_name[utrecht].voted_members, by_name[utrecht].voted_weight) == (3, D(15))
    assert weights_of(by_name[utrecht]) == {
        "for": (D(9), 1, D("0.6428571428571428571428571429")),
        "against": (D(5), 1, D("0.3571428571428571428571428571")),
        "abstain": (D(1), 1, None),
    }
    assert (by_name[zeeland].voted_members, by_name[zeeland].voted_weight) == (1, D(3))
    assert by_name[zeeland].eligible_weight == D(5)
    assert weights_of(by_name[zeeland])["for"] == (D(3), 1, D(1))


def test_without_by_group_there_are_no_groups():
    register = [Voter(1, D(1), frozenset({"province:Utrecht"}))]
    assert tally(register=register, ballots=[], options=YES_NO, rule=Rule()).groups == ()


def test_rule_coerces_stored_strings():
    rule = Rule(majority="two_thirds", abstentions="as_cast", quorum=D("0.25"))
    assert rule == Rule(MajorityRule.TWO_THIRDS, AbstentionRule.AS_CAST, D("0.25"))
    assert rule.majority is MajorityRule.TWO_THIRDS


def test_to_dict_is_plain_json():
    result = yes_no_poll("97.63", "2.37")
    data = result.to_dict()
    assert data["outcome"] == "adopted"
    assert data["options"][0] == {
        "key": "for",
        "label": "Voor",
        "is_abstention": False,
        "weight": "97.63",
        "members": 1,
        "share": "0.9763",
    }
    assert OptionTotal.from_dict(data["options"][2]).share is None
    assert Result.from_dict(json.loads(json.dumps(data))) == result


# --- errors ------------------------------------------------------------------

REGISTER = [Voter(1, D(2)), Voter(2, D(3))]


@pytest.mark.parametrize(
    ("register", "ballots", "options", "message"),
    [
        (REGISTER, [Ballot(3, "for")], YES_NO, "not on the register"),
        (REGISTER, [Ballot(1, "for"), Ballot(1, "against")], YES_NO, "voted twice"),
        (REGISTER, [Ballot(1, "for"), Ballot(1, "for")], YES_NO, "voted twice"),
        (REGISTER, [Ballot(1, "maybe")], YES_NO, "unknown option"),
        ([Voter(1, D(2)), Voter(1, D(2))], [], YES_NO, "on the register twice"),
        ([Voter(1, D(-1))], [], YES_NO, "not negative"),
        ([Voter(1, D("NaN"))], [], YES_NO, "finite"),
        ([Voter(1, D("Infinity"))], [], YES_NO, "finite"),
        ([Voter(1, 1.5)], [], YES_NO, "must be a Decimal"),
        (REGISTER, [], (*YES_NO, Option("for", "Nogmaals voor")), "duplicate option keys"),
        (REGISTER, [], (YES_NO[2],), "not an abstention"),
        (REGISTER, [], (), "not an abstention"),
    ],
)
def test_tally_refuses_bad_input(register, ballots, options, message):
    with pytest.raises(TallyError, match=message):
        tally(register=register, ballots=ballots, options=options, rule=Rule())


@pytest.mark.parametrize(
    ("totals", "eligible_members", "eligible_weight", "message"),
    [
        ({"maybe": (D(1), 1)}, 2, D(5), "unknown option"),
        ({"for": (D(-1), 1)}, 2, D(5), "not negative"),
        ({"for": (D(1), -1)}, 2, D(5), "non-negative int"),
        ({"for": (D(1), 0)}, 2, D(5), "weight but no members"),
        ({"for": (D(6), 1)}, 2, D(5), "more members or weight"),
        ({"for": (D(1), 3)}, 2, D(5), "more members or weight"),
        ({}, 2, D(-5), "not negative"),
        ({}, -1, D(5), "non-negative int"),
    ],
)
def test_decide_refuses_bad_totals(totals, eligible_members, eligible_weight, message):
    with pytest.raises(TallyError, match=message):
        decide(
            options=YES_NO,
            totals=totals,
            eligible_members=eligible_members,
            eligible_weight=eligible_weight,
            rule=Rule(),
        )


@pytest.mark.parametrize(
    "kwargs",
    [
        {"quorum": D("1.001")},
        {"quorum": D("-0.1")},
        {"quorum": 0.5},  # a float is not an exact fraction
        {"quorum": D("NaN")},
        {"majority": "most"},
        {"abstentions": "ignore"},
    ],
)
def test_rule_refuses_bad_settings(kwargs):
    with pytest.raises(TallyError):
        Rule(**kwargs)


def test_rule_accepts_quorum_bounds():
    assert Rule(quorum=D(0)).quorum == 0
    assert Rule(quorum=D(1)).quorum == 1
