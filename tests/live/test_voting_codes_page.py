"""The voting codes page without accidents: issuing shows at once that codes were
issued (and downloads them once), re-issuing and revoking ask first and say that the
handed-out sheet stops working, the page says what was issued and links back to the
meeting, and code accounts stay out of the people list."""

import csv
import io

import pytest
from django.test import Client

from besluit.accounts.models import VotingCode

pytestmark = pytest.mark.django_db


def _page(association, meeting) -> str:
    return f"/{association.slug}/vergaderingen/{meeting.pk}/stemcodes/"


def _rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode())))


def test_issuing_shows_the_codes_as_issued_and_downloads_them_once(
    client, association, secretariat, meeting
):
    client.force_login(secretariat)
    page = _page(association, meeting)
    before = client.get(page).content.decode()
    assert "Nog geen codes uitgegeven." in before
    assert f'href="/{association.slug}/vergaderingen/{meeting.pk}/"' in before  # way back

    issued = client.post(page, follow=True)
    html = issued.content.decode()
    members = association.members.filter(active=True).count()
    # Without a reload: the answer to the POST is the page that shows them issued ...
    assert issued.redirect_chain == [(page, 302)]
    assert f"{members} codes uitgegeven" in html
    assert f"{members} geldige codes (van {members} uitgegeven)" in html
    assert "door secretariaat" in html
    # ... and starts the download of the CSV.
    assert f'<meta http-equiv="refresh" content="0;url={page}?download=1">' in html
    download = client.get(page + "?download=1")
    assert download["Content-Disposition"] == f'attachment; filename="stemcodes-{meeting.pk}.csv"'
    assert len(_rows(download)) == 1 + members
    # Once: the plain codes are gone afterwards, and the page no longer offers them.
    again = client.get(page + "?download=1", follow=True)
    assert "kunnen niet meer worden gedownload" in again.content.decode()
    assert "http-equiv" not in client.get(page).content.decode()


def test_re_issuing_asks_first_and_changes_nothing_until_confirmed(
    client, association, secretariat, meeting
):
    client.force_login(secretariat)
    page = _page(association, meeting)
    client.post(page)
    client.get(page + "?download=1")
    valid = set(VotingCode.objects.filter(revoked_at__isnull=True).values_list("pk", flat=True))
    members = len(valid)

    ask = client.post(page)
    html = ask.content.decode()
    assert ask.status_code == 200
    assert f"{members} geldige codes werken dan niet meer" in html
    assert "het al uitgedeelde vel geeft geen toegang meer" in html
    assert 'name="confirm" value="yes"' in html
    assert set(VotingCode.objects.filter(revoked_at__isnull=True).values_list("pk", flat=True)) == (
        valid
    )

    done = client.post(page, {"confirm": "yes"})
    assert done.status_code == 302
    now_valid = set(VotingCode.objects.filter(revoked_at__isnull=True).values_list("pk", flat=True))
    assert len(now_valid) == members and not now_valid & valid
    assert len(_rows(client.get(page + "?download=1"))) == 1 + members


def test_one_members_new_code_and_a_revocation_ask_first(client, association, secretariat, meeting):
    client.force_login(secretariat)
    page = _page(association, meeting)
    client.post(page)
    code = VotingCode.objects.filter(revoked_at__isnull=True).select_related("member").first()

    ask = client.post(page, {"member": code.member_id})
    assert f"De code van {code.member.name} werkt dan niet meer" in ask.content.decode()
    assert f'name="member" value="{code.member_id}"' in ask.content.decode()
    code.refresh_from_db()
    assert code.revoked_at is None

    ask = client.post(page, {"revoke": code.pk})
    assert "Deze code intrekken?" in ask.content.decode()
    code.refresh_from_db()
    assert code.revoked_at is None
    client.post(page, {"revoke": code.pk, "confirm": "yes"})
    code.refresh_from_db()
    assert code.revoked_at is not None


def test_code_accounts_stay_out_of_the_people_list(client, association, secretariat, meeting):
    client.force_login(secretariat)
    client.post(_page(association, meeting))
    people = client.get(f"/{association.slug}/mensen/").content.decode()
    assert "secretariaat" in people
    for code in VotingCode.objects.select_related("user"):
        assert code.user.username not in people


def test_the_codes_page_is_the_secretariats(association, representative, meeting):
    phone = Client()
    phone.force_login(representative)
    assert phone.post(_page(association, meeting)).status_code in (403, 404)
    assert not VotingCode.objects.exists()
