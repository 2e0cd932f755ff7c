"""A meeting's decision list and results are public pages once the secretariat publishes
them (an association setting), linked from /open/; until then they do not exist. Also:
the settings page, and a result's roll call that collapses, with a search."""

import pytest
from django.test import Client
from django.urls import reverse

from besluit.associations.models import Association
from besluit.voting import services as voting
from tests import factories


def _voter(association, i):
    from besluit.associations.models import Role

    return factories.make_user(
        f"rep{i}", association, Role.Kind.REPRESENTATIVE, member=factories.member(association, i)
    )


@pytest.fixture
def closed_poll(association, meeting, chair):
    poll = factories.open_poll(
        chair, meeting, subject="free", title="Keuze locatie", alternatives=["Utrecht", "Zwolle"]
    )
    voting.cast_ballot(actor=_voter(association, 0), poll=poll, option_key="option-1")
    voting.cast_ballot(actor=_voter(association, 1), poll=poll, option_key="option-2")
    voting.do_close_poll(actor=chair, poll=poll)
    return poll


def _publish(client, association, secretariat, publish: bool):
    client.force_login(secretariat)
    url = reverse("web:association_settings", args=[association.slug])
    data = {"language": "nl", **({"publish_decisions": "on"} if publish else {})}
    assert client.post(url, data).status_code == 302
    client.logout()


def test_unpublished_decisions_are_not_public(association, meeting, closed_poll):
    anonymous = Client()
    url = reverse("web:public_decisions", args=[association.slug, meeting.pk])
    assert anonymous.get(url).status_code == 404
    result = reverse("web:public_result", args=[association.slug, closed_poll.public_id])
    assert anonymous.get(result).status_code == 404
    page = anonymous.get(reverse("opendata:association", args=[association.slug]))
    assert url not in page.content.decode()


def test_published_decisions_and_results_are_public_and_linked(
    client, association, secretariat, meeting, closed_poll
):
    _publish(client, association, secretariat, True)
    anonymous = Client()
    open_page = anonymous.get(reverse("opendata:association", args=[association.slug]))
    url = reverse("web:public_decisions", args=[association.slug, meeting.pk])
    assert f'href="{url}"' in open_page.content.decode()

    html = anonymous.get(url).content.decode()
    assert "Besluitenlijst" in html and "Keuze locatie" in html
    result = reverse("web:public_result", args=[association.slug, closed_poll.public_id])
    assert f'href="{result}"' in html

    html = anonymous.get(result).content.decode()
    assert "Uitslag" in html
    # A named vote's roll call, collapsed with a search; a search finds one member.
    assert '<details class="besluit-rollcall">' in html
    first = factories.member(association, 0).name
    found = anonymous.get(result, {"q": first[-3:]}).content.decode()
    assert '<details class="besluit-rollcall" open>' in found
    assert first in found

    # Unpublishing takes them away again.
    _publish(client, association, secretariat, False)
    assert anonymous.get(url).status_code == 404


def test_the_settings_are_the_secretariats_and_audited(client, association, secretariat, chair):
    url = reverse("web:association_settings", args=[association.slug])
    client.force_login(chair)
    assert client.get(url).status_code == 403
    client.force_login(secretariat)
    page = client.get(url).content.decode()
    assert "Taal van de pagina’s van de vereniging" in page or "Taal" in page
    response = client.post(url, {"language": "en", "publish_decisions": "on"})
    assert response.status_code == 302
    association = Association.objects.get(pk=association.pk)
    assert association.language == "en" and association.publish_decisions
    from besluit.audit.models import AuditEvent

    assert AuditEvent.objects.filter(action="association.settings_changed").exists()
    assert client.post(url, {"language": "xx"}).status_code == 400
