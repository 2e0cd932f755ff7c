"""The voting power page: every role may look, only the secretariat may try a draft."""

import csv
import io
import re
from html import unescape

import pytest
from django.conf import settings
from django.urls import reverse

from besluit.accounts.models import User
from besluit.associations import services as assoc
from besluit.associations.models import Role
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


@pytest.fixture
def observer(association):
    return factories.make_user("waarnemer", association, Role.Kind.OBSERVER)


def page(association, **params):
    url = reverse("analysis:analyse", args=[association.slug])
    if params:
        url += "?" + "&".join(f"{k}={v}" for k, v in params.items())
    return url


def text(response) -> str:
    html = response.content.decode()
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


@pytest.mark.parametrize("who", ["representative", "observer"])
def test_renders_for_any_role(client, association, request, who):
    client.force_login(request.getfixturevalue(who))
    response = client.get(page(association))
    assert response.status_code == 200
    html = response.content.decode()
    body = text(response)
    assert "Voting power" in body
    # Default comparison: current rule and three alternatives, simple majority.
    for label in ("Current rule", "Proportional", "Square root", "One member, one vote"):
        assert label in body
    assert "Example bracket table" not in body
    # Three charts (size, network, province), each an accessible image with its table.
    assert html.count('role="img"') == 3
    for grouping in ("size", "network", "province"):
        assert f'aria-labelledby="chart-{grouping}-title chart-{grouping}-desc"' in html
        assert f'<title id="chart-{grouping}-title">' in html
        assert f'id="table-{grouping}-caption"' in html
    assert "Approximation." in body  # proportional and square root are rounded
    assert not re.search(r"\sstyle=", html)  # strict CSP (font-style="" is an SVG attribute)
    # The menu marks "Weights" as the current section.
    assert re.search(r'aria-current="page">Weights<', html)


def test_representative_sees_own_member(client, association, representative):
    client.force_login(representative)
    body = text(client.get(page(association)))
    assert f"Your member: {factories.member(association, 0).name}" in body


def test_hidden_from_outsiders_and_anonymous(client, association):
    assert client.get(page(association)).status_code == 302
    outsider = User.objects.create_user(username="buiten", password="correct horse battery")
    client.force_login(outsider)
    assert client.get(page(association)).status_code == 404


def test_chosen_rules_and_quota(client, association, observer):
    client.force_login(observer)
    response = client.get(
        page(association, quota="two_thirds", rules="brackets", index="shapley_shubik")
    )
    body = text(response)
    assert response.status_code == 200
    assert "Example bracket table" in body and "Square root" not in body
    assert "at least two thirds of the total weight of all members" in body
    assert "Shapley-Shubik index" in body
    assert "Approximation." not in body  # bracket tables are exact


def test_draft_form_is_for_the_secretariat_only(client, association, secretariat, observer):
    client.force_login(secretariat)
    assert 'name="draft"' in client.get(page(association)).content.decode()

    client.force_login(observer)
    response = client.get(page(association))
    assert 'name="draft"' not in response.content.decode()
    # A draft sent anyway is ignored.
    response = client.get(page(association, quota="simple", draft="0:%201%0A50000:%205"))
    assert response.status_code == 200
    assert "Draft bracket table" not in text(response)


def test_secretariat_analyses_a_draft_without_saving_it(client, association, secretariat):
    client.force_login(secretariat)
    rules = association.weight_rules.count()
    response = client.get(page(association, quota="simple", draft="0:%201%0A50.000:%203"))
    assert response.status_code == 200
    body = text(response)
    assert "Draft bracket table" in body
    assert "bracket table: 2 brackets, 1 to 3 votes" in body
    assert association.weight_rules.count() == rules


def test_bad_draft_shows_the_lines_in_error(client, association, secretariat):
    client.force_login(secretariat)
    draft = "0:%201%0Aveel:%202%0A20000:%20-1"
    response = client.get(page(association, quota="simple", draft=draft))
    assert response.status_code == 400
    body = text(response)
    assert "Nothing was analysed" in body
    assert "line 2: expected 'from_inhabitants votes'" in body
    assert "line 3: votes must be a non-negative number" in body
    assert "Summary per rule" not in body


def test_members_table_sorts_and_switches_rule(client, association, observer):
    client.force_login(observer)
    response = client.get(page(association, sort="name", show="equal"))
    html = response.content.decode()
    assert "Every member with a vote under: One member, one vote" in text(response)
    names = re.findall(
        r'class="utrecht-table__header-cell analysis-rowhead" scope="row">([^<]+)<', html
    )
    members = [n.strip() for n in names if n.strip().startswith("Testgemeente")]
    assert members == sorted(members) and len(members) == 12
    assert 'aria-sort="ascending"' in html


def test_csv_download(client, association, observer):
    client.force_login(observer)
    response = client.get(page(association, format="csv"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment;" in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert len(rows) == 4 * 12  # four rules, twelve members
    assert {r["rule"] for r in rows} == {"current", "proportional", "sqrt", "equal"}
    assert {r["resolution"] for r in rows if r["rule"] == "current"} == {"exact"}
    assert {r["resolution"] for r in rows if r["rule"] == "proportional"} != {"exact"}
    assert sum(float(r["banzhaf"]) for r in rows if r["rule"] == "equal") == pytest.approx(1)

    by_size = client.get(
        page(association, format="csv", by="size", quota="two_thirds", rules="equal")
    )
    rows = list(csv.DictReader(io.StringIO(by_size.content.decode())))
    assert {r["quota"] for r in rows} == {"two_thirds"}
    assert "group" in rows[0] and "members" in rows[0]
    for rule in ("current", "equal"):
        assert sum(int(r["members"]) for r in rows if r["rule"] == rule) == 12


def test_without_a_rule_in_force_the_page_says_so(client, db):
    association = assoc.do_create_association(actor=None, name="Nieuwe vereniging", slug="nieuw")
    assoc.do_import_members(actor=None, association=association, data=factories.register_csv(3))
    client.force_login(factories.make_user("waarnemer", association, Role.Kind.OBSERVER))
    response = client.get(page(association))
    assert response.status_code == 200
    assert "No weight rule is in force" in text(response)
    assert "Summary per rule" not in text(response)
