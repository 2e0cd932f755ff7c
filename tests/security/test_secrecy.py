"""Warnings before a secret poll opens when the register makes secrecy impossible."""

from decimal import Decimal as D

import pytest
from django.template import Context, Template

from besluit.voting import services as voting
from besluit.voting.models import Poll
from besluit.voting.secrecy import check_secrecy
from tests import factories


def codes(register) -> list[str]:
    return [w.code for w in check_secrecy(register)]


def test_a_member_with_a_majority_of_the_weight_is_named():
    warnings = check_secrecy([("GM0363", D(60)), *((f"GM{i}", D(4)) for i in range(10))])
    assert [w.code for w in warnings] == ["majority"]
    assert warnings[0].members == ("GM0363",)
    assert warnings[0].share == D(60) / D(100)
    print("60 of 100 weight → majority warning")


@pytest.mark.parametrize(
    ("register", "expected"),
    [
        ([("A", D(50)), ("B", D(50))], ["few_members"]),  # exactly half is no majority
        ([("A", D(1))], ["majority", "few_members"]),
        ([(c, D(1)) for c in "ABCD"], ["few_members"]),
        ([(c, D(1)) for c in "ABCDE"], []),  # five equal weights: totals hide who
        # A distinct-subset-sum set (Conway-Guy): every total names its members.
        (
            [("A", D(6)), ("B", D(9)), ("C", D(11)), ("D", D(12)), ("E", D(13))],
            ["weights_identify"],
        ),
        ([("A", D(6)), ("B", D(9)), ("C", D(11)), ("D", D(12)), ("E", D(15))], []),  # 6+9=15
        ([("A", D(0)), ("B", D(9)), ("C", D(11)), ("D", D(12)), ("E", D(13))], []),
        (
            [("A", D(1)), ("B", D(2)), ("C", D(4)), ("D", D(8)), ("E", D(16))],
            ["majority", "weights_identify"],
        ),
        ([], []),
    ],
)
def test_table_of_registers(register, expected):
    assert codes(register) == expected


def test_large_registers_skip_the_subset_check():
    # 40 powers of two would all be distinct subset sums, but 2**40 sums are not enumerated;
    # the largest holds a majority, which is reported.
    register = [(f"GM{i:04d}", D(2) ** i) for i in range(40)]
    assert codes(register) == ["majority"]


@pytest.mark.django_db
def test_the_poll_page_include_warns_for_a_secret_draft_poll_only(chair):
    association = factories.make_association(3, slug="klein")
    meeting = factories.make_meeting(association)
    chair_small = factories.make_user("vz-klein", association, "chair")

    def make(secret: bool) -> Poll:
        return voting.do_create_poll(
            actor=chair_small,
            meeting=meeting,
            subject=Poll.Subject.FREE,
            alternatives=["A", "B"],
            is_secret=secret,
        )

    template = Template('{% include "web/polls/_secrecy_warning.html" %}')
    secret, named = make(True), make(False)
    html = template.render(Context({"poll": secret}))
    assert "besluit-secrecy-warning" in html and "3" in html
    assert "besluit-secrecy-warning" not in template.render(Context({"poll": named}))
    # Opened, the frozen register is checked; closed, nothing is shown any more.
    voting.do_open_poll(actor=chair_small, poll=secret)
    secret.refresh_from_db()
    assert "besluit-secrecy-warning" in template.render(Context({"poll": secret}))
    voting.do_close_poll(actor=chair_small, poll=secret)
    secret.refresh_from_db()
    assert "besluit-secrecy-warning" not in template.render(Context({"poll": secret}))
    print("3 eligible members → few-members warning on the poll page")
