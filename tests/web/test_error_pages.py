"""The product's own error pages, in Dutch, with a way back; and what a voting code's
session sees of the menu."""

from django.test import Client

from besluit.accounts import codes
from tests import factories


def test_a_wrong_address_gets_the_dutch_404_page_with_a_way_back(client, association):
    response = client.get("/dit-bestaat-niet/echt-niet/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "Deze pagina bestaat niet" in page
    assert 'href="/"' in page or "Terug naar de startpagina" in page
    assert "Not Found" not in page


def test_a_role_without_the_right_gets_the_dutch_403_page(client, association, representative):
    client.force_login(representative)
    response = client.get(f"/{association.slug}/mensen/")
    assert response.status_code == 403
    page = response.content.decode()
    assert "U mag deze pagina niet openen" in page and "Terug naar de startpagina" in page
    assert "403 Forbidden" not in page


def test_a_voting_code_session_sees_its_meeting_only(association, secretariat, meeting):
    member = factories.member(association, 0)
    code = dict(codes.do_issue_codes(actor=secretariat, meeting=meeting, members=[member]))[member]
    phone = Client()
    assert phone.post("/stemcode/", {"code": code}).status_code == 302
    live = f"/{association.slug}/vergaderingen/{meeting.pk}/live/"
    page = phone.get(live).content.decode()
    # One way in, to its own meeting; no second factor, no association menu.
    assert "Live volgen en stemmen" in page
    assert "Tweede factor" not in page
    assert f'href="/{association.slug}/leden/"' not in page
    refused = phone.get(f"/{association.slug}/leden/")
    assert refused.status_code == 403
    text = refused.content.decode()
    assert "Een stemcode opent alleen de stempagina" in text
    assert f'href="{live}"' in text


def test_a_wrong_voting_code_is_told_in_dutch(association, meeting):
    page = Client().post("/stemcode/", {"code": "AAAA-BBBB-CCCC-DDDD-EEEE-FFFF-GG"})
    assert page.status_code == 400
    assert "Deze stemcode is niet geldig" in page.content.decode()
