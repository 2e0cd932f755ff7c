import pytest
from django.conf import settings as django_settings

from besluit.associations.models import Role
from tests import factories

FAST_HASHER = "django.contrib.auth.hashers.MD5PasswordHasher"


def pytest_configure(config):
    """Hash test passwords fast, everywhere, unless a test asks for Argon2.

    Argon2 costs about half a second per password on purpose; tests make many people and
    never attack a hash. The product's own hashers stay the settings module's (checked by
    tests/security/test_password_hashing.py); a test that needs them is marked ``argon2``.
    """
    from django.conf import settings

    settings.PASSWORD_HASHERS = [FAST_HASHER, *settings.PASSWORD_HASHERS]


@pytest.fixture(autouse=True)
def _product_hashers(request):
    """For a test marked ``argon2``: the product's hashers, Argon2 first."""
    if request.node.get_closest_marker("argon2") is None:
        yield
        return
    from django.conf import settings
    from django.test.utils import override_settings

    with override_settings(PASSWORD_HASHERS=settings.PASSWORD_HASHERS[1:]):
        yield


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


@pytest.fixture(autouse=True)
def _empty_cache():
    """Every test starts with an empty cache: the throttles count failures there (per
    address, per code space), the power analysis keeps results there, and the cache
    outlives a test (per process, or Redis)."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _default_language():
    """Every test starts in the site's language (Dutch): a request served in English in
    one test must not leave English active in the thread for the next."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def en(client):
    """The test client, in English (for pages whose Dutch wording is checked elsewhere)."""
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    return client
