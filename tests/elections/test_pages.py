"""The election pages, as the secretariat, chair, board, candidates and members use them."""

import pytest
from django.urls import reverse

from besluit.elections import services as el
from besluit.elections.models import Election, ElectionBallot, PooledChoice

from . import helpers as h

pytestmark = pytest.mark.django_db


@pytest.fixture
def body(secretariat, association):
    return h.body(secretariat, association)


def test_the_chair_creates_an_election_from_the_meeting_page(client, chair, meeting, body):
    client.force_login(chair)
    page = client.get(reverse("web:meeting", args=[meeting.association.slug, meeting.pk]))
    url = reverse("elections:list", args=[meeting.association.slug, meeting.pk])
    assert url in page.content.decode()
    answer = client.post(
        url,
        {
            "body": body.pk,
            "title": "Verkiezing voorzitter",
            "seats": 1,
            "term_starts": "2027-01-01",
            "term_ends": "2029-12-31",
            "method": "ranked",
            "nomination_deadline": "2030-01-01T12:00",
            "late_nominations": "refused",
            "is_secret": "on",
            "allow_unopposed": "on",
        },
    )
    election = Election.objects.get()
    assert answer.status_code == 302 and election.is_secret and election.seats == 1


def test_a_two_seat_ballot_with_one_name_is_refused_with_a_dutch_form_error(
    client, chair, meeting, body
):
    client.force_login(chair)
    url = reverse("elections:list", args=[meeting.association.slug, meeting.pk])
    answer = client.post(
        url,
        {
            "body": body.pk,
            "title": "Verkiezing",
            "seats": 2,
            "term_starts": "2027-01-01",
            "term_ends": "2029-12-31",
            "method": "two_round",
            "nomination_deadline": "2030-01-01T12:00",
            "late_nominations": "refused",
        },
    )
    assert answer.status_code == 400
    assert "tweede ronde vult één zetel" in answer.content.decode()
    assert not Election.objects.exists()


def test_nominate_accept_vote_count_and_board_page(
    client, chair, board, secretariat, meeting, body
):
    slug = meeting.association.slug
    e = h.election(chair, meeting, body, seats=2)
    detail = reverse("elections:detail", args=[slug, e.public_id])
    client.force_login(board)
    for name in ("Anna Akkerman", "Bert Bos", "Cor Claassen"):
        answer = client.post(
            reverse("elections:nominate", args=[slug, e.public_id]), {"name": name, "by": "board"}
        )
        assert answer.status_code == 302
    client.force_login(secretariat)
    for c in e.candidacies.all():
        client.post(
            reverse("elections:candidacy_action", args=[slug, e.public_id, c.number, "instemmen"])
        )
    client.force_login(chair)
    console = client.get(reverse("live:console", args=[slug, meeting.pk]))
    assert "Stemming openen: Verkiezing bestuursleden" in console.content.decode()
    client.post(reverse("elections:round_action", args=[slug, e.public_id, "openen"]))
    voters = h.reps(meeting.association, 4)
    vote = reverse("elections:vote", args=[slug, e.public_id])
    client.force_login(voters[0])
    bad = client.post(vote, {"rank-k1": "1", "rank-k2": "3"})
    assert bad.status_code == 400 and "rang 2 ontbreekt" in bad.content.decode()
    assert not ElectionBallot.objects.exists() and not PooledChoice.objects.exists()
    form = client.get(vote).content.decode()
    assert 'name="rank-k1"' in form and "<select" in form
    for i, voter in enumerate(voters):
        client.force_login(voter)
        answer = client.post(vote, {"rank-k1": "1", "rank-k3": "2"} if i % 2 else {"rank-k2": "1"})
        assert answer.status_code == 200 and "Uw stem is ontvangen" in answer.content.decode()
    client.force_login(chair)
    client.post(reverse("elections:round_action", args=[slug, e.public_id, "sluiten"]))
    page = client.get(detail).content.decode()
    assert "<svg" in page and "Quotum" in page and "gekozen" in page
    projector = client.get(reverse("elections:projector_panel", args=[slug, meeting.pk]))
    assert "<svg" in projector.content.decode()
    board_page = client.get(reverse("elections:board", args=[slug])).content.decode()
    e.refresh_from_db()
    for m in e.memberships.all():
        assert m.name in board_page
    bundle = client.get(reverse("elections:bundle", args=[slug, e.public_id]))
    assert bundle.status_code == 200 and b"besluit-election" in bundle.content
    popolo = client.get(reverse("elections:popolo", args=[slug, e.public_id])).json()
    event = popolo["elections"][0]["vote_events"][0]
    assert len(popolo["memberships"]) == 2 and event["result"] == "elected"
    assert "votes" not in event  # secret


def test_a_member_cannot_open_a_round(client, chair, board, secretariat, meeting, body):
    e = h.election(chair, meeting, body, seats=1)
    h.stand(e, ["A", "B"], by=board, secretariat=secretariat)
    (rep,) = h.reps(meeting.association, 1)
    client.force_login(rep)
    slug = meeting.association.slug
    client.post(reverse("elections:round_action", args=[slug, e.public_id, "openen"]))
    assert not e.rounds.exists()
    el.do_open_round(actor=chair, election=e)
    assert e.rounds.count() == 1


def test_the_chart_marks_a_candidate_from_the_round_it_is_excluded_in():
    from decimal import Decimal as D

    from besluit.elections.chart import count_chart
    from besluit.elections.selectors import CountTable

    table = CountTable(
        columns=["1", "2"],
        rows=[
            {"key": "k1", "name": "A", "cells": [D(5), D(7)], "fate": "elected", "since": 1},
            {"key": "k2", "name": "B", "cells": [D(2), D(0)], "fate": "excluded", "since": 0},
            {"key": "k3", "name": "C", "cells": [D(3), D(3)], "fate": "", "since": 0},
        ],
        quota=[D(6), D(6)],
        exhausted=[D(0), D(0)],
    )
    chart = count_chart(table)
    first, second = chart.blocks
    assert [b.fate for b in first.bars] == ["", "excluded", ""]
    assert [b.fate for b in second.bars] == ["elected", "excluded", ""]
    assert second.bars[0].width > first.quota_x - chart.bar_x > first.bars[0].width


def test_a_candidate_with_an_account_accepts_in_person_and_the_seat_shows_on_the_people_page(
    client, chair, board, secretariat, meeting, body
):
    from besluit.associations.models import Role
    from tests import factories

    slug = meeting.association.slug
    person = factories.make_user("kandidaat", meeting.association, Role.Kind.OBSERVER)
    e = h.election(chair, meeting, body, seats=1, method="two_round")
    client.force_login(board)
    nominate = reverse("elections:nominate", args=[slug, e.public_id])
    unknown = client.post(nominate, {"name": "K. Andidaat", "by": "board", "username": "nobody"})
    assert unknown.status_code == 400 and not e.candidacies.exists()
    client.post(nominate, {"name": "K. Andidaat", "by": "board", "username": "kandidaat"})
    candidacy = e.candidacies.get()
    assert candidacy.user == person
    client.force_login(person)
    accept = reverse("elections:candidacy_action", args=[slug, e.public_id, 1, "instemmen"])
    client.post(accept)
    candidacy.refresh_from_db()
    assert candidacy.status == "accepted"
    el.do_declare_unopposed(actor=chair, election=e)
    client.force_login(secretariat)
    people = client.get(reverse("web:people", args=[slug])).content.decode()
    assert "K. Andidaat (kandidaat): Bestuur" in people


def test_the_live_page_of_a_representative_links_to_an_open_round(
    client, chair, board, secretariat, meeting, body
):
    e = h.election(chair, meeting, body, seats=1)
    h.stand(e, ["A", "B"], by=board, secretariat=secretariat)
    (rep,) = h.reps(meeting.association, 1)
    client.force_login(rep)
    live = reverse("live:participant", args=[meeting.association.slug, meeting.pk])
    vote = reverse("elections:vote", args=[meeting.association.slug, e.public_id])
    assert vote not in client.get(live).content.decode()
    el.do_open_round(actor=chair, election=e)
    assert vote in client.get(live).content.decode()


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def test_statement_and_photo_and_an_svg_is_refused(
    client, chair, board, secretariat, meeting, body
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    slug = meeting.association.slug
    e = h.election(chair, meeting, body, seats=1)
    (c,) = h.stand(e, ["Anna"], by=board, secretariat=secretariat)
    client.force_login(secretariat)
    page = reverse("elections:candidate", args=[slug, e.public_id, c.number])
    svg = SimpleUploadedFile("foto.svg", b"<svg onload='x'/>", content_type="image/svg+xml")
    refused = client.post(page, {"statement": "Ik wil dienen.", "photo": svg})
    assert refused.status_code == 400 and "JPEG (.jpg) of PNG" in refused.content.decode()
    c.refresh_from_db()
    assert c.statement == ""
    png = SimpleUploadedFile("foto.png", PNG, content_type="image/png")
    assert client.post(page, {"statement": "Ik wil dienen.", "photo": png}).status_code == 302
    photo = client.get(reverse("elections:photo", args=[slug, e.public_id, c.number]))
    assert photo.status_code == 200 and photo["Content-Type"] == "image/png"
    assert photo["X-Content-Type-Options"] == "nosniff"
    detail = client.get(reverse("elections:detail", args=[slug, e.public_id])).content.decode()
    assert "Ik wil dienen." in detail and "Foto van Anna" in detail


def test_a_named_election_shows_how_each_member_voted(
    client, chair, board, secretariat, meeting, body
):
    slug = meeting.association.slug
    e = h.election(chair, meeting, body, method="approval", seats=2, secret=False)
    h.stand(e, ["Anna", "Bert", "Cor"], by=board, secretariat=secretariat)
    el.do_open_round(actor=chair, election=e)
    voters = h.reps(meeting.association, 2)
    el.do_cast(actor=voters[0], election=e, choice=["k1", "k2"])
    el.do_cast(actor=voters[1], election=e, choice=["k3"])
    el.do_close_round(actor=chair, election=e)
    client.force_login(chair)
    page = client.get(reverse("elections:detail", args=[slug, e.public_id])).content.decode()
    assert "Hoe elk lid heeft gestemd" in page
    assert "Anna; Bert" in page
    popolo = client.get(reverse("elections:popolo", args=[slug, e.public_id])).json()
    votes = popolo["elections"][0]["vote_events"][0]["votes"]
    assert sorted(v["choices"] for v in votes) == [["Anna", "Bert"], ["Cor"]]
    assert {v["option"] for v in votes} == {None}  # approvals: no single option
