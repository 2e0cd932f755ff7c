import pytest

from tests.accountability import helpers


@pytest.fixture
def people(association):
    """Representatives of members 1-6, who vote."""
    return helpers.voters(association)


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    """Argon2 is slow on purpose; these tests create many people and never attack them."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
