import pytest

from tests.accountability import helpers


@pytest.fixture
def people(association):
    """Representatives of members 1-6, who vote."""
    return helpers.voters(association)
