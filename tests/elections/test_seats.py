"""Elected persons' seats on the pages where the board accounts for carrying out
decisions (commitments, reports) and on the people and roles page."""

import pytest
from django.urls import reverse

from besluit.accountability import services as accountability
from besluit.associations.models import Role
from besluit.elections import services as el
from besluit.elections.selectors import SeatIndex
from tests import factories
from tests.accountability import helpers as acc

from . import helpers as h

pytestmark = pytest.mark.django_db


@pytest.fixture
def seated(chair, board, secretariat, meeting):
    """Anna (an account of her own) is elected to the board, and Bert, as chair, to the
    Financial committee; each unopposed, through the services."""
    association = meeting.association
    anna = factories.make_user("anna", association, Role.Kind.BOARD)
    bert = factories.make_user("bert", association, Role.Kind.BOARD)
    bodies = {
        "Bestuur": h.body(secretariat, association),
        "Financiële commissie": h.body(
            secretariat, association, name="Financiële commissie", kind="committee"
        ),
    }
    for body, name, user, function in (
        ("Bestuur", "Anna de Vries", anna, "lid"),
        ("Financiële commissie", "Bert Jansen", bert, "voorzitter"),
    ):
        e = h.election(chair, meeting, bodies[body], seats=1, title=f"Verkiezing {body}")
        c = el.do_nominate(
            actor=board, election=e, name=name, function=function, user=user, by_board=True
        )
        el.do_consent(actor=secretariat, candidacy=c, accept=True)
        el.do_declare_unopposed(actor=chair, election=e)
    committee = accountability.do_create_committee(
        actor=secretariat, association=association, name="financiële commissie"
    )
    return {"anna": anna, "bert": bert, "committee": committee}


def _commitment(chair, meeting, *, committee, owner, by):
    association = meeting.association
    people = acc.voters(association)
    motion = acc.submit_motion(people[0], meeting)
    acc.adopt_by_vote(chair, motion, people)
    commitment = motion.commitments.get()
    return accountability.do_update_commitment(
        actor=by,
        commitment=commitment,
        title=commitment.title,
        theme=None,
        owner_committee=committee,
        owner_user=owner,
        due_date=None,
        update_interval_days=commitment.update_interval_days,
        status=commitment.status,
    )


def test_a_commitment_shows_its_owners_seats_and_terms(client, chair, meeting, seated):
    commitment = _commitment(
        chair, meeting, committee=seated["committee"], owner=seated["anna"], by=seated["anna"]
    )
    index = SeatIndex.of(meeting.association)
    assert [m.name for m in index.of_owner(commitment)] == ["Anna de Vries", "Bert Jansen"]
    client.force_login(chair)
    slug = meeting.association.slug
    page = client.get(reverse("accountability:commitment", args=[slug, commitment.pk]))
    text = page.content.decode()
    assert 'Anna de Vries: <span class="election-seat">Bestuur, lid' in text
    assert 'Bert Jansen: <span class="election-seat">Financiële commissie, voorzitter' in text
    assert "zittingstermijn 1 januari 2027 – 31 december 2030" in text
    assert reverse("elections:board", args=[slug]) in text  # the sub-navigation links it
    overview = client.get(reverse("accountability:overview", args=[slug])).content.decode()
    assert "Bestuur, lid" in overview and "Financiële commissie, voorzitter" in overview


def test_the_public_overview_links_the_open_pages_not_the_login(client, chair, meeting, seated):
    _commitment(
        chair, meeting, committee=seated["committee"], owner=seated["anna"], by=seated["anna"]
    )
    slug = meeting.association.slug
    page = client.get(reverse("accountability:overview", args=[slug]))
    assert page.status_code == 200
    text = page.content.decode()
    assert reverse("opendata:association", args=[slug]) + "#seats-heading" in text
    assert 'Anna de Vries: <span class="election-seat">Bestuur, lid' in text


def test_a_report_names_the_board_and_the_committee_chairs(client, chair, secretariat, meeting):
    from besluit.accountability import services as reports

    report = reports.do_create_report(actor=secretariat, meeting=meeting, title="Verantwoording")
    client.force_login(secretariat)
    slug = meeting.association.slug
    url = reverse("accountability:report", args=[slug, report.pk])
    assert "Er zijn nog geen zetels" in client.get(url).content.decode()


def test_a_report_lists_the_seats(client, chair, secretariat, meeting, seated):
    from besluit.accountability import services as reports

    report = reports.do_create_report(actor=secretariat, meeting=meeting, title="Verantwoording")
    client.force_login(secretariat)
    slug = meeting.association.slug
    text = client.get(reverse("accountability:report", args=[slug, report.pk])).content.decode()
    section = text[text.index('id="accountable-heading"') :]
    assert section.index("Anna de Vries") < section.index("Bert Jansen")
    assert reverse("elections:board", args=[slug]) in section


def test_the_people_page_shows_each_persons_seat(client, secretariat, meeting, seated):
    client.force_login(secretariat)
    text = client.get(reverse("web:people", args=[meeting.association.slug])).content.decode()
    assert '<th class="utrecht-table__header-cell" scope="col">Zetel</th>' in text
    row = text[text.index('<td class="utrecht-table__cell">bert</td>') :]
    assert row.index("Financiële commissie, voorzitter") < row.index("</tr>")


def test_another_associations_seats_never_show(client, chair, meeting, seated):
    other = factories.make_association(3, slug="ander")
    assert SeatIndex.of(other).by_user == {} and SeatIndex.of(other).board == []
