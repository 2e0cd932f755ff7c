"""The association's language, not the browser's: Dutch by default, English by the
reader's own choice (the language switch, kept in a cookie); and an anonymous visitor
of an association that does not exist gets the 404 page, not the login."""

from django.conf import settings
from django.urls import reverse

from besluit.associations.models import Association
from tests import factories


def _lang(response) -> str:
    html = response.content.decode()
    return html.split('<html lang="', 1)[1].split('"', 1)[0]


def test_accept_language_does_not_turn_the_pages_english(client, association, secretariat):
    client.force_login(secretariat)
    url = reverse("web:members", args=[association.slug])
    response = client.get(url, headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert _lang(response) == "nl"
    assert "Ledenregister" in response.content.decode()
    assert response["Content-Language"] == "nl"
    assert "Accept-Language" not in response.get("Vary", "")
    login = client.get(reverse("login"), headers={"Accept-Language": "en"})
    assert _lang(login) == "nl"


def test_a_reader_chooses_english_and_it_persists(client, association, secretariat):
    client.force_login(secretariat)
    url = reverse("web:members", args=[association.slug])
    response = client.post(reverse("set_language"), {"language": "en", "next": url})
    assert response.status_code == 302
    cookie = client.cookies[settings.LANGUAGE_COOKIE_NAME]
    assert cookie.value == "en" and int(cookie["max-age"] or 0) >= 30 * 24 * 3600
    assert _lang(client.get(url, headers={"Accept-Language": "nl"})) == "en"
    # Logging out keeps it: the choice is the reader's, not the session's.
    out = client.post(reverse("logout"))
    assert settings.LANGUAGE_COOKIE_NAME not in out.cookies
    assert _lang(client.get(reverse("login"))) == "en"


def test_the_association_language_holds_unless_the_reader_chose(client, association, secretariat):
    Association.objects.filter(pk=association.pk).update(language="en")
    client.force_login(secretariat)
    url = reverse("web:members", args=[association.slug])
    response = client.get(url, headers={"Accept-Language": "nl"})
    assert _lang(response) == "en"
    assert "Members register" in response.content.decode()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "nl"
    assert _lang(client.get(url)) == "nl"


def test_an_unknown_association_is_a_404_for_an_anonymous_visitor(client, association):
    for url in ("/bestaat-niet/", "/bestaat-niet/leden/", "/bestaat-niet/vergaderingen/1/"):
        response = client.get(url)
        assert response.status_code == 404, url
        assert "Deze pagina bestaat niet" in response.content.decode()
    # A real association's pages still ask for a login first.
    response = client.get(f"/{association.slug}/leden/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_an_unknown_association_is_a_404_when_logged_in(client, association):
    other = factories.make_association(2, slug="andere")
    client.force_login(factories.make_user("lid", other, "secretariat"))
    assert client.get("/bestaat-niet/").status_code == 404
