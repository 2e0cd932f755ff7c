import pytest


@pytest.fixture(autouse=True)
def _english(settings):
    """These tests read the English interface text; Dutch is the default elsewhere."""
    from django.utils import translation

    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield
