"""The product hashes passwords with Argon2, whatever the test suite's own fast hasher."""

import pytest
from django.contrib.auth.hashers import check_password, identify_hasher, make_password

from besluit import settings as product_settings


def test_the_product_hashes_passwords_with_argon2_first():
    assert product_settings.PASSWORD_HASHERS[0] == (
        "django.contrib.auth.hashers.Argon2PasswordHasher"
    )


@pytest.mark.argon2
def test_a_test_marked_argon2_hashes_with_the_products_hasher():
    encoded = make_password("correct horse battery")
    assert identify_hasher(encoded).algorithm == "argon2"
    assert check_password("correct horse battery", encoded)


def test_other_tests_hash_passwords_fast():
    assert identify_hasher(make_password("x")).algorithm == "md5"
