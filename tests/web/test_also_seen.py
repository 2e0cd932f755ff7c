"""Small things seen on the demo: a label that agrees with its rule, a favicon, and
breadcrumbs whose wrapped line never starts with "›"."""

from pathlib import Path

from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import translation

import besluit
from besluit.web.forms.associations import WeightOverrideForm

CSS = Path(besluit.__file__).parent / "static" / "besluit" / "besluit.css"


def test_the_override_reason_says_when_it_is_required_not_optional():
    form = WeightOverrideForm()
    with translation.override("nl"):
        html = render_to_string("includes/form_field.html", {"field": form["reason"]})
    assert "(verplicht bij een afwijkend gewicht)" in html
    assert "(optioneel)" not in html
    assert "Verplicht" not in html  # the help no longer contradicts the label
    # The service holds the rule the label states.
    assert "verplicht" in html


def test_the_site_has_a_favicon(client, db):
    page = client.get("/accounts/login/").content.decode()
    assert 'rel="icon" href="/static/besluit/favicon.svg"' in page
    assert finders.find("besluit/favicon.svg")


def test_breadcrumb_separators_end_a_line_rather_than_start_one():
    css = CSS.read_text()
    assert ".utrecht-breadcrumb-nav__item:not(:last-child)::after" in css
    assert ".utrecht-breadcrumb-nav__item + .utrecht-breadcrumb-nav__item::before" not in css


def test_the_voting_power_analysis_shows_it_is_busy(client, association, secretariat):
    """The analysis takes seconds (measured in the report: about 4 s of CPU for the five
    rules on 342 members); the page says it is working instead of going blank."""
    from django.urls import reverse

    client.force_login(secretariat)
    html = client.get(reverse("analysis:analyse", args=[association.slug])).content.decode()
    assert 'hx-boost="true" hx-indicator="#analysis-busy"' in html
    busy = html.split('id="analysis-busy"', 1)[1].split("</div>", 1)[0]
    assert "<progress" in busy and "Bezig met analyseren" in busy


def test_the_members_list_comes_in_pages_with_its_search(client, db):
    import re

    from django.urls import reverse

    from besluit.associations.models import Role
    from tests import factories

    def codes(html: str) -> list[str]:
        body = html.split('<tbody class="utrecht-table__body">', 1)[1].split("</tbody>", 1)[0]
        return re.findall(r"besluit-nowrap\">(GM\d{4})<", body)

    big = factories.make_association(60, slug="groot")
    client.force_login(factories.make_user("secretariaat", big, Role.Kind.SECRETARIAT))
    url = reverse("web:members", args=[big.slug])
    first = client.get(url).content.decode()
    second = client.get(url, {"pagina": 2}).content.decode()
    assert len(codes(first)) == 50 and len(codes(second)) == 10
    assert not set(codes(first)) & set(codes(second))
    assert "Pagina 1 van 2" in first and 'href="?pagina=2"' in first
    assert "Pagina 2 van 2" in second and 'href="?pagina=1"' in second
    assert "Totaal: 60 leden" in first  # the totals are of all members, not of the page
    # A search keeps its terms in the page links; a small result has no pages.
    found = client.get(url, {"q": "Testgemeente 05"}).content.decode()
    assert len(codes(found)) == 10 and "besluit-pagination" not in found
    sorted_page = client.get(url, {"sort": "-inhabitants", "pagina": 1}).content.decode()
    assert 'href="?sort=-inhabitants&amp;pagina=2"' in sorted_page
