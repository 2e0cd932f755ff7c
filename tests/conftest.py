import pytest

from besluit.associations.models import Role
from tests import factories


@pytest.fixture
def association(db):
    return factories.make_association(12, networks={"G4": [0, 1], "K80": [5, 6, 7]})


@pytest.fixture
def secretariat(association):
    return factories.make_user("secretariaat", association, Role.Kind.SECRETARIAT)


@pytest.fixture
def chair(association):
    return factories.make_user("voorzitter", association, Role.Kind.CHAIR)


@pytest.fixture
def board(association):
    return factories.make_user("bestuurslid", association, Role.Kind.BOARD)


@pytest.fixture
def representative(association):
    return factories.make_user(
        "burgemeester",
        association,
        Role.Kind.REPRESENTATIVE,
        member=factories.member(association, 0),
    )


@pytest.fixture
def meeting(association):
    return factories.make_meeting(association)
