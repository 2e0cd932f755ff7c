"""Association pages: home, dashboard, members register and import, weights, people."""

import re
from decimal import Decimal
from html import unescape

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from besluit.accounts.models import User
from besluit.accounts.services import do_create_person
from besluit.associations import services as assoc
from besluit.associations.models import Member, Role, WeightRule
from besluit.associations.services import do_override_weight
from besluit.audit.models import AuditEvent
from besluit.errors import ValidationFailed
from besluit.voting import services as voting
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english(client):
    """Assert on the English interface texts, whatever the Dutch catalogue says."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


@pytest.fixture
def outsider(db):
    return User.objects.create_user(username="buitenstaander", password="correct horse battery")


@pytest.fixture
def roles(secretariat, chair, board, representative):
    return {
        "secretariat": secretariat,
        "chair": chair,
        "board": board,
        "representative": representative,
    }


def url(name, association, *args):
    return reverse(f"web:{name}", args=[association.slug, *args])


def text(response) -> str:
    """The page's visible text, whitespace collapsed, for assertions on what a user reads."""
    html = response.content.decode()
    html = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


# --- access ------------------------------------------------------------------

PAGES = ["association", "members", "weights"]


@pytest.mark.parametrize("page", PAGES)
def test_association_pages_render_for_every_role(client, association, roles, page):
    for user in roles.values():
        client.force_login(user)
        response = client.get(url(page, association))
        assert response.status_code == 200, (page, user)
        assert association.name in response.content.decode()


@pytest.mark.parametrize("page", [*PAGES, "people", "members_import"])
def test_association_pages_are_hidden_from_outsiders(client, association, outsider, page):
    client.force_login(outsider)
    assert client.get(url(page, association)).status_code == 404


@pytest.mark.parametrize("page", [*PAGES, "people", "members_import"])
def test_anonymous_users_are_sent_to_the_login_page(client, association, page):
    response = client.get(url(page, association))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("page", ["people", "members_import"])
def test_secretariat_only_pages_refuse_other_roles(client, association, roles, page):
    client.force_login(roles["secretariat"])
    assert client.get(url(page, association)).status_code == 200
    for kind in ("chair", "board", "representative"):
        client.force_login(roles[kind])
        assert client.get(url(page, association)).status_code == 403, kind


def test_the_menu_marks_the_current_page_and_shows_people_only_to_the_secretariat(
    client, association, secretariat, representative
):
    client.force_login(secretariat)
    html = client.get(url("members", association)).content.decode()
    assert re.search(r'href="/vvg/leden/"\s+aria-current="page"', html)
    assert 'href="/vvg/mensen/"' in html
    client.force_login(representative)
    html = client.get(url("members", association)).content.decode()
    assert 'href="/vvg/mensen/"' not in html


def test_the_security_policy_is_in_the_menu_of_the_secretariat_only(client, association, roles):
    policy = reverse("security:policy", args=[association.slug])
    client.force_login(roles["secretariat"])
    assert f'href="{policy}"' in client.get(url("members", association)).content.decode()
    html = client.get(policy).content.decode()
    assert re.search(rf'href="{policy}"\s+aria-current="page"', html)
    for kind in ("chair", "board", "representative"):
        client.force_login(roles[kind])
        assert f'href="{policy}"' not in client.get(url("members", association)).content.decode()


def test_every_logged_in_user_finds_the_second_factor_in_the_user_menu(client, association, roles):
    second_factor = reverse("security:second_factor")
    assert f'href="{second_factor}"' not in client.get(reverse("web:home")).content.decode()
    for kind, user in roles.items():
        client.force_login(user)
        html = client.get(url("association", association)).content.decode()
        assert f'href="{second_factor}"' in html, kind


# --- home and dashboard ------------------------------------------------------


def test_home_for_anonymous_users_explains_and_offers_login(client):
    response = client.get(reverse("web:home"))
    assert response.status_code == 200
    assert "Log in" in text(response)
    assert f'href="{reverse("login")}"' in response.content.decode()


def test_home_shows_associations_meetings_and_a_vote_button_until_the_member_voted(
    client, association, meeting, chair, representative, secretariat
):
    poll = factories.open_poll(chair, meeting)
    client.force_login(representative)
    page = text(client.get(reverse("web:home")))
    assert association.name in page
    assert meeting.title in page
    assert "Vote: Keuze van de vergaderlocatie" in page
    assert "can vote in 1 open poll" in page

    voting.cast_ballot(actor=representative, poll=poll, option_key="option-1")
    page = text(client.get(reverse("web:home")))
    assert "Vote: Keuze" not in page
    assert "your vote has been cast" in page

    client.force_login(secretariat)  # no member: sees the poll, never a vote button
    page = text(client.get(reverse("web:home")))
    assert "Keuze van de vergaderlocatie" in page
    assert "Vote:" not in page


def test_dashboard_shows_roles_meetings_open_polls_and_decisions(
    client, association, meeting, chair, representative
):
    factories.open_poll(chair, meeting)
    voting.do_record_acclamation(
        actor=chair, meeting=meeting, subject="Notulen vorige vergadering vastgesteld"
    )
    client.force_login(representative)
    page = text(client.get(url("association", association)))
    assert "representative" in page
    assert f"you act for {factories.member(association, 0).name}" in page
    assert "Vote now" in page
    assert meeting.title in page
    assert "Notulen vorige vergadering vastgesteld" in page


# --- members register --------------------------------------------------------


def test_members_register_lists_members_with_weights_shares_and_totals(
    client, association, representative
):
    client.force_login(representative)
    response = client.get(url("members", association))
    page = text(response)
    first = factories.member(association, 0)
    assert first.code in page and first.name in page
    assert "12 members" in page
    assert "Total: 12 members (12 with a vote)" in page
    assert "100.00%" in page  # the shares of all members add up
    assert "G4" in page and "K80" in page
    assert "Members per province" in page
    assert "Import CSV" not in page
    assert "Weight, networks" not in page


def test_members_register_filters_searches_and_sorts(client, association, secretariat):
    client.force_login(secretariat)
    members = list(association.members.order_by("code"))

    page = text(client.get(url("members", association), {"network": "G4"}))
    assert "2 of 12 members shown" in page
    assert members[0].name in page and members[1].name in page
    assert members[5].name not in page

    page = text(client.get(url("members", association), {"province": members[3].province}))
    assert members[3].name in page
    assert "1 of 12 members shown" in page

    page = text(client.get(url("members", association), {"q": "testgemeente 007"}))
    assert "1 of 12 members shown" in page and members[7].name in page

    html = client.get(url("members", association), {"sort": "-inhabitants"}).content.decode()
    by_inhabitants = sorted(members, key=lambda m: m.populations.get().inhabitants, reverse=True)
    positions = [html.index(f">{m.name}<") for m in by_inhabitants]
    assert positions == sorted(positions)
    assert 'aria-sort="descending"' in html

    page = text(client.get(url("members", association), {"province": "Atlantis"}))
    assert "12 members" in page  # an unknown filter value is ignored


def test_members_filter_over_htmx_returns_only_the_results(client, association, secretariat):
    client.force_login(secretariat)
    response = client.get(url("members", association), {"network": "K80"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<div id="register-results">')
    assert "<html" not in html
    assert "3 of 12 members shown" in text(response)


def test_members_page_marks_an_override_with_its_reason(client, association, secretariat):
    member = factories.member(association, 2)
    do_override_weight(actor=None, member=member, weight=Decimal(20), reason="ALV-besluit 2025")
    client.force_login(secretariat)
    page = text(client.get(url("members", association)))
    assert "fixed" in page
    assert "ALV-besluit 2025 (computed:" in page


def test_members_page_without_a_weight_rule_still_lists_the_members(client):
    bare = assoc.do_create_association(actor=None, name="Nieuwe vereniging", slug="nieuw")
    assoc.do_import_members(actor=None, association=bare, data=factories.register_csv(3))
    user = factories.make_user("secretariaat-nieuw", bare, Role.Kind.SECRETARIAT)
    client.force_login(user)
    page = text(client.get(url("members", bare)))
    assert "No weight rule is in force today" in page
    assert "Testgemeente 002" in page and "3 members" in page
    assert page.count("none yet") == 3  # each member's weight, as the API's weightStatus


def register_queries(client, association, user) -> int:
    client.force_login(user)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url("members", association))
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_members_page_runs_the_same_number_of_queries_for_12_and_60_members(
    client, association, secretariat
):
    big = factories.make_association(60, slug="groot", networks={"G40": [1, 2, 3], "P10": [4]})
    big_secretariat = factories.make_user("secretariaat-groot", big, Role.Kind.SECRETARIAT)
    small_count = register_queries(client, association, secretariat)
    big_count = register_queries(client, big, big_secretariat)
    assert small_count == big_count
    assert big_count <= 12


# --- import ------------------------------------------------------------------


def csv_upload(content: bytes, name: str = "leden.csv"):
    return SimpleUploadedFile(name, content, content_type="text/csv")


def test_import_shows_a_report_of_created_and_updated_members(client, association, secretariat):
    client.force_login(secretariat)
    first = factories.member(association, 0)
    content = (
        "gemeentecode;naam;provincie;inwoners;peildatum\n"
        f"{first.code};{first.name};{first.province};123456;2027-01-01\n"
        "GM0999;Nieuwgemeente;Zeeland;5000;2027-01-01\n"
    ).encode()
    response = client.post(
        url("members_import", association), {"file": csv_upload(content)}, follow=True
    )
    page = text(response)
    assert response.status_code == 200
    assert "Register imported" in page
    assert "1 new, 1 updated, 0 unchanged" in page
    assert "GM0999 Nieuwgemeente" in page
    assert f"{first.code} {first.name}: inhabitants" in page
    assert association.members.filter(code="GM0999").exists()
    # The report is shown once (PRG): reloading gives the empty form again.
    assert "Accepted files" in text(client.get(url("members_import", association)))


def test_a_bad_import_lists_every_problem_by_line_and_imports_nothing(
    client, association, secretariat
):
    client.force_login(secretariat)
    before = Member.objects.count()
    content = (
        b"gemeentecode,naam,provincie,inwoners\n"
        b"GM0998,Goedgemeente,Zeeland,5000\n"
        b"XX12,Foutgemeente,Zeeland,5000\n"
        b"GM0997,Negatiefstad,Zeeland,-3\n"
    )
    response = client.post(url("members_import", association), {"file": csv_upload(content)})
    page = text(response)
    assert response.status_code == 400
    assert "Nothing was imported: the file has 2 problems" in page
    assert "line 3, field 'gemeentecode': not a municipality code" in page
    assert "line 4, field 'inwoners': must not be negative" in page
    assert Member.objects.count() == before
    assert 'type="file"' in response.content.decode()  # the form stays


def test_import_is_refused_to_other_roles(client, association, chair):
    client.force_login(chair)
    response = client.post(
        url("members_import", association), {"file": csv_upload(b"gemeentecode,naam\n")}
    )
    assert response.status_code == 403


# --- one member --------------------------------------------------------------


def test_member_page_shows_history_networks_and_representatives(
    client, association, representative, board
):
    member = factories.member(association, 0)
    client.force_login(board)
    response = client.get(url("member_edit", association, member.code))
    page = text(response)
    assert response.status_code == 200
    assert member.name in page and "G4" in page
    assert "Population history" in page and "1 January 2026" in page
    assert "Representatives" in page and "mayor" in page
    assert "Weight override" not in page  # no forms for the board


def test_a_weight_override_needs_a_reason_and_can_be_cleared(client, association, secretariat):
    member = factories.member(association, 1)
    page_url = url("member_edit", association, member.code)
    client.force_login(secretariat)

    response = client.post(page_url, {"form": "override", "weight": "25", "reason": ""})
    assert response.status_code == 400
    assert "An override needs a reason." in text(response)
    member.refresh_from_db()
    assert member.weight_override is None

    response = client.post(
        page_url,
        {"form": "override", "weight": "25", "reason": "Bestuursbesluit 12-3"},
        follow=True,
    )
    assert "is now fixed at 25" in text(response)
    member.refresh_from_db()
    assert member.weight_override == Decimal(25)
    assert member.override_reason == "Bestuursbesluit 12-3"

    response = client.post(page_url, {"form": "override", "weight": "", "reason": ""}, follow=True)
    assert "has its computed weight again" in text(response)
    member.refresh_from_db()
    assert member.weight_override is None and member.override_reason == ""


def test_networks_are_set_from_a_comma_or_space_separated_list(client, association, secretariat):
    member = factories.member(association, 4)
    client.force_login(secretariat)
    page_url = url("member_edit", association, member.code)
    client.post(page_url, {"form": "networks", "codes": "g40, P10  m50"})
    assert sorted(n.code for n in member.networks.all()) == ["G40", "M50", "P10"]
    response = client.post(page_url, {"form": "networks", "codes": "G40 <b>"})
    assert response.status_code == 400
    assert "Not a network code: &lt;b&gt;" in response.content.decode()


def test_member_forms_are_refused_to_other_roles(client, association, chair):
    member = factories.member(association, 1)
    client.force_login(chair)
    response = client.post(
        url("member_edit", association, member.code),
        {"form": "override", "weight": "99", "reason": "x"},
    )
    assert response.status_code == 403
    member.refresh_from_db()
    assert member.weight_override is None


def test_unknown_member_is_404(client, association, secretariat):
    client.force_login(secretariat)
    assert client.get(url("member_edit", association, "GM0000")).status_code == 404


# --- weights -----------------------------------------------------------------


def test_weights_page_shows_rules_brackets_example_marker_and_distribution(
    client, association, representative
):
    client.force_login(representative)
    page = text(client.get(url("weights", association)))
    assert "In force" in page and "Example" in page
    assert "From inhabitants" in page and "900,000" in page and "and more" in page
    assert "Distribution of weights today" in page
    assert "12 members with a vote carry" in page
    assert "Add a weight rule" not in page


def test_adding_a_rule_with_bad_brackets_shows_the_line_errors(client, association, secretariat):
    client.force_login(secretariat)
    response = client.post(
        url("weights", association),
        {
            "valid_from": "2027-01-01",
            "kind": "brackets",
            "brackets": "0: 1\nveel: 2\n20000: 1,5\n10000: 3",
            "per_inhabitants": "1",
            "decimals": "2",
        },
    )
    page = text(response)
    assert response.status_code == 400
    assert "line 2: expected 'from_inhabitants votes'" in page
    assert WeightRule.objects.filter(association=association).count() == 1

    response = client.post(
        url("weights", association),
        {
            "valid_from": "2027-01-01",
            "kind": "brackets",
            "brackets": "0: 1\n20.000: 1,5\n10000: 3",
            "per_inhabitants": "1",
            "decimals": "2",
        },
    )
    page = text(response)
    assert "line 3: 10000 inhabitants must be above the previous bracket's 20000" in page


def test_adding_a_rule(client, association, secretariat):
    client.force_login(secretariat)
    response = client.post(
        url("weights", association),
        {
            "valid_from": "2027-01-01",
            "kind": "proportional",
            "brackets": "",
            "per_inhabitants": "10000",
            "decimals": "1",
            "label": "Statuten 2027",
        },
        follow=True,
    )
    page = text(response)
    assert "The weight rule valid from 1 January 2027 was saved." in page
    assert "1 vote per 10000 inhabitants, rounded to 1 decimals" in page
    assert "Future" in page
    rule = WeightRule.objects.get(association=association, valid_from="2027-01-01")
    assert rule.kind == "proportional" and rule.label == "Statuten 2027" and not rule.is_example


def test_weight_rules_are_refused_to_other_roles(client, association, board):
    client.force_login(board)
    response = client.post(url("weights", association), {"valid_from": "2027-01-01"})
    assert response.status_code == 403


# --- people ------------------------------------------------------------------


def person_data(association, **extra):
    data = {
        "username": "raadslid-test",
        "first_name": "Fatima",
        "last_name": "El Amrani",
        "email": "f.elamrani@example.org",
        "password": "Kwelder-Oog-2027!",
        "kind": "representative",
        "member": factories.member(association, 3).pk,
        "function": "council_member",
    }
    return {**data, **extra}


def test_people_page_lists_roles(client, association, secretariat, representative):
    client.force_login(secretariat)
    page = text(client.get(url("people", association)))
    assert "burgemeester" in page and "representative" in page
    assert factories.member(association, 0).name in page


def test_people_can_be_filtered_by_role(client, association, secretariat, chair, representative):
    client.force_login(secretariat)
    page = text(client.get(url("people", association), {"kind": "chair"}))
    assert "1 role" in page and "voorzitter" in page
    assert "burgemeester" not in page
    assert "All roles (3)" in page and "Representative (1)" in page


def test_create_a_person_with_a_role(client, association, secretariat):
    client.force_login(secretariat)
    response = client.post(url("people", association), person_data(association), follow=True)
    page = text(response)
    login = f"raadslid-test@{association.slug}"
    assert f"Fatima El Amrani can now log in as '{login}'" in page
    user = User.objects.get(username=login)
    role = Role.objects.get(user=user, association=association)
    assert role.kind == "representative"
    assert role.member == factories.member(association, 3)
    assert role.function == "council_member"
    assert AuditEvent.objects.filter(action="person.created").exists()
    assert user.check_password("Kwelder-Oog-2027!")


def test_create_a_person_checks_password_member_and_username(client, association, secretariat):
    client.force_login(secretariat)
    response = client.post(
        url("people", association), person_data(association, password="raadslid-test")
    )
    assert response.status_code == 400
    assert "The password is too similar to the username." in text(response)

    response = client.post(
        url("people", association), person_data(association, member="", function="")
    )
    page = text(response)
    assert "A representative acts for a member: choose one." in page
    assert "Choose the representative's function." in page

    assert not User.objects.filter(username__startswith="raadslid-test").exists()
    client.post(url("people", association), person_data(association, username="Raadslid"))
    response = client.post(
        url("people", association), person_data(association, username="RAADSLID")
    )
    assert "This username is taken." in text(response)


def test_create_person_is_atomic(association, secretariat):
    other = factories.make_association(2, slug="ander")
    with pytest.raises(ValidationFailed):
        do_create_person(
            actor=secretariat,
            association=association,
            username="halfweg",
            password="Kwelder-Oog-2027!",
            kind="representative",
            member=factories.member(other, 0),
            function="mayor",
        )
    assert not User.objects.filter(username__startswith="halfweg").exists()
