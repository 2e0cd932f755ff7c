import pytest

from besluit.texts import services
from tests import factories

RESOLUTION = """\
# Resolutie

## Aanleiding

Na de verkiezingen begint de formatie van een nieuw kabinet. De opgaven komen samen in de gemeente.

## Wonen

Wij vragen het kabinet om de afspraak van ten minste 100.000 nieuwe woningen per jaar te \
ondersteunen met een meerjarige woningbouwimpuls, om de regie op de ruimtelijke ordening te \
versterken.

## Financiën

Gemeenten vragen het nieuwe kabinet daarom:

1. draai de korting op het gemeentefonds terug;
2. herstel de groei van het gemeentefonds;
3. voer geen verdere bezuinigingen door.

De ALV stelt deze resolutie vast.
"""


@pytest.fixture(autouse=True)
def _texts_settings(settings, tmp_path):
    # PDFs run at once (django-tasks' immediate backend), files in a temporary media root.
    settings.TASKS = {
        "default": {
            "BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
            "QUEUES": ["default", "letters"],
        }
    }
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def proposal(meeting):
    return factories.make_proposal(meeting, text=RESOLUTION)


@pytest.fixture
def published(proposal, secretariat):
    """Version 1 of the proposal's text, published."""
    v = services.do_start_draft(actor=secretariat, proposal=proposal)
    return services.do_publish_version(actor=secretariat, version=v)


@pytest.fixture
def other_rep(association):
    from besluit.associations.models import Role

    return factories.make_user(
        "wethouder", association, Role.Kind.REPRESENTATIVE, member=factories.member(association, 1)
    )


@pytest.fixture(autouse=True)
def _english(settings):
    """These tests read the English interface text; Dutch is the default elsewhere."""
    from django.utils import translation

    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield
