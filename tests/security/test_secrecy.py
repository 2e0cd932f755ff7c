"""Warnings before a secret poll opens when the register makes secrecy impossible."""

from datetime import date
from decimal import Decimal as D

import pytest
from django.template import Context, Template
from django.urls import reverse

from besluit.associations import services as assoc
from besluit.associations.models import Role
from besluit.core.secrecy import check_secrecy
from besluit.voting import services as voting
from besluit.voting.models import Poll
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
    factories.trustees_for(chair_small, meeting)
    voting.do_open_poll(actor=chair_small, poll=secret)
    secret.refresh_from_db()
    assert "besluit-secrecy-warning" in template.render(Context({"poll": secret}))
    voting.do_close_poll(actor=chair_small, poll=secret)
    secret.refresh_from_db()
    assert "besluit-secrecy-warning" not in template.render(Context({"poll": secret}))
    print("3 eligible members → few-members warning on the poll page")


def _one_member_majority_association():
    """Seven members; GM0001 holds 900 of the 906 weight (proportional, per 1,000)."""
    association = assoc.do_create_association(actor=None, name="Eén grote gemeente", slug="groot")
    lines = ["gemeentecode,naam,provincie,inwoners,peildatum"]
    lines += [
        f"GM{i:04d},Gemeente {i},Utrecht,{900_000 if i == 1 else 1_000},2026-01-01"
        for i in range(1, 8)
    ]
    assoc.do_import_members(
        actor=None, association=association, data=("\n".join(lines) + "\n").encode()
    )
    assoc.do_set_weight_rule(
        actor=None,
        association=association,
        valid_from=date(2000, 1, 1),
        kind="proportional",
        brackets=(),
        per_inhabitants=D(1000),
        is_example=True,
    )
    return association


@pytest.mark.django_db
def test_the_chair_is_warned_on_the_poll_and_open_pages_of_a_secret_draft_poll(client):
    association = _one_member_majority_association()
    meeting = factories.make_meeting(association)
    chair = factories.make_user("vz-groot", association, Role.Kind.CHAIR)

    def make(secret: bool) -> Poll:
        return voting.do_create_poll(
            actor=chair,
            meeting=meeting,
            subject=Poll.Subject.FREE,
            alternatives=["A", "B"],
            is_secret=secret,
        )

    client.force_login(chair)
    secret, named = make(True), make(False)
    for name in ("web:poll", "web:poll_open"):
        html = client.get(reverse(name, args=[association.slug, secret.public_id])).content
        assert b"besluit-secrecy-warning" in html and b"GM0001" in html, name
        assert b"niet volledig geheim" in html, name
        html = client.get(reverse(name, args=[association.slug, named.public_id])).content
        assert b"besluit-secrecy-warning" not in html, name


@pytest.mark.django_db
def test_no_warning_on_a_secret_poll_with_an_ordinary_register(client, association, chair, meeting):
    poll = voting.do_create_poll(
        actor=chair,
        meeting=meeting,
        subject=Poll.Subject.FREE,
        alternatives=["A", "B"],
        is_secret=True,
    )
    client.force_login(chair)
    for name in ("web:poll", "web:poll_open"):
        html = client.get(reverse(name, args=[association.slug, poll.public_id])).content
        assert b"besluit-secrecy-warning" not in html, name
