from datetime import date

import pytest

from besluit.associations.models import Role
from besluit.attendance import services as attendance
from tests import factories


@pytest.fixture
def rules(association, secretariat):
    """The statutes: at most 2 represented members per member, from 2020."""
    return attendance.do_set_proxy_rule(
        actor=secretariat, association=association, valid_from=date(2020, 1, 1), max_represented=2
    )


@pytest.fixture
def reps(association):
    """A representative for each of the first five members."""
    return [
        factories.make_user(
            f"rep-{i}",
            association,
            Role.Kind.REPRESENTATIVE,
            member=factories.member(association, i),
        )
        for i in range(5)
    ]


def m(association, i):
    return factories.member(association, i)
