"""Many people at once (CSV): all or nothing with line numbers, on the page, the command
line and the API; 343 representatives in a fixed, small number of queries and no hash."""

import csv
import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from besluit.accounts.models import ApiToken, User
from besluit.accounts.people import do_import_people
from besluit.associations import services as assoc
from besluit.associations.models import Role
from besluit.audit.models import AuditEvent
from besluit.core import people_csv
from besluit.errors import ValidationFailed
from tests import factories

pytestmark = pytest.mark.django_db
GEMEENTEN = Path(__file__).resolve().parents[3] / "shared" / "data" / "gemeenten.csv"
FUNCTIONS = ("burgemeester", "wethouder", "raadslid", "gemeentesecretaris", "griffier")


def people_file(codes: list[str], *, extra: str = "") -> bytes:
    lines = ["naam,e-mail,lidcode,functie,rol"]
    for i, code in enumerate(codes):
        email = f"p{i}@{code.lower()}.nl"
        lines.append(f"Persoon {i} van Dijk,{email},{code},{FUNCTIONS[i % 5]},vertegenwoordiger")
    return ("\n".join(lines) + "\n" + extra).encode()


def test_the_parser_reports_every_bad_line_with_its_field():
    data = (
        b"naam;e-mail;lidcode;functie;rol\n"
        b"Jan Jansen;jan@a.nl;GM0014;burgemeester;vertegenwoordiger\n"
        b";geen-adres;GM0014;;vertegenwoordiger\n"
        b"Piet;piet@a.nl;GM0014;wethouder;keizer\n"
        b"Kees;jan@a.nl;;;secretariaat\n"
        b"Anna;anna@a.nl;GM0034;;voorzitter\n"
    )
    with pytest.raises(people_csv.PeopleImportError) as caught:
        people_csv.parse_people(data)
    text = [str(p) for p in caught.value.problems]
    assert "line 3, field 'naam': a name is required" in text
    assert any(t.startswith("line 3, field 'e-mail'") for t in text)
    assert any(t.startswith("line 3, field 'functie'") for t in text)
    assert any(t.startswith("line 4, field 'rol'") for t in text)
    assert any(t.startswith("line 5, field 'gebruikersnaam'") and "line 2" in t for t in text)
    assert any(t.startswith("line 6, field 'lidcode'") for t in text)
    assert not any(t.startswith("line 2") for t in text)
    with pytest.raises(people_csv.PeopleImportError, match="missing column"):
        people_csv.parse_people(b"naam,e-mail\nJan,jan@a.nl\n")


@pytest.mark.dbbackend
def test_343_representatives_in_a_fixed_number_of_queries_without_hashing():
    association = assoc.do_create_association(actor=None, name="VNG", slug="vng")
    assoc.do_import_members(actor=None, association=association, data=GEMEENTEN.read_bytes())
    codes = list(association.members.order_by("code").values_list("code", flat=True))
    codes.append(codes[0])  # a second representative of one municipality: 343 people
    with CaptureQueriesContext(connection) as queries:
        report = do_import_people(actor=None, association=association, data=people_file(codes))
    assert len(report.created) == 343
    assert len(queries) <= 20, [q["sql"][:80] for q in queries]
    reps = Role.objects.filter(association=association, kind=Role.Kind.REPRESENTATIVE)
    assert reps.count() == 343 and reps.values("member").distinct().count() == 342
    user = User.objects.get(username="p0.gm0014.nl@vng")
    assert not user.has_usable_password() and user.last_name == "0 van Dijk"
    assert (
        AuditEvent.objects.filter(action="person.created", association=association).count() == 343
    )


@pytest.mark.dbbackend
def test_all_or_nothing_with_unknown_members_and_taken_usernames(association):
    factories.make_user("p0.gm1000.nl@vvg", association, Role.Kind.OBSERVER)
    before = User.objects.count()
    data = people_file(["GM1000", "GM1001", "GM9999"])
    with pytest.raises(ValidationFailed) as caught:
        do_import_people(actor=None, association=association, data=data)
    assert caught.value.problems == [
        "line 2, field 'gebruikersnaam': the username 'p0.gm1000.nl@vvg' is taken",
        "line 4, field 'lidcode': no member GM9999 in this association",
    ]
    assert User.objects.count() == before


def test_the_command_line_imports_or_names_each_problem(association, tmp_path):
    good = tmp_path / "mensen.csv"
    good.write_bytes(people_file(["GM1000", "GM1001"]))
    out = io.StringIO()
    call_command("people", "import", str(good), "--association", "vvg", stdout=out)
    assert "2 people created" in out.getvalue()
    bad = tmp_path / "fout.csv"
    bad.write_bytes(people_file(["GM1002"], extra="X,x@y.nl,GM1003,,vertegenwoordiger\n"))
    err = io.StringIO()
    with pytest.raises(CommandError, match="nothing imported"):
        call_command("people", "import", str(bad), "--association", "vvg", stderr=err)
    assert "line 3, field 'functie'" in err.getvalue()
    assert not User.objects.filter(username__startswith="p0.gm1002").exists()


def test_the_page_imports_and_lists_problems(client, association, secretariat):
    client.force_login(secretariat)
    people = client.get("/vvg/mensen/").content.decode()
    assert 'href="/vvg/mensen/import/"' in people
    upload = io.BytesIO(people_file(["GM1000", "GM9999"]))
    upload.name = "mensen.csv"
    response = client.post("/vvg/mensen/import/", {"file": upload})
    assert response.status_code == 400
    assert "line 3, field &#x27;lidcode&#x27;" in response.content.decode()
    upload = io.BytesIO(people_file(["GM1000", "GM1001"]))
    upload.name = "mensen.csv"
    response = client.post("/vvg/mensen/import/", {"file": upload})
    assert response.status_code == 302
    assert Role.objects.filter(association=association, kind="representative").count() == 2


def test_the_api_imports_csv_and_refuses_bad_files(client, association, secretariat):
    raw = ApiToken.issue(secretariat, "t")[1]
    url = "/api/v1/associations/vvg/people/import"
    headers = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    bad = client.post(url, people_file(["GM9999"]), content_type="text/csv", **headers)
    assert bad.status_code == 400 and bad["Content-Type"] == "application/problem+json"
    assert bad.json()["invalidParams"][0]["reason"].startswith("line 2")
    wrong_type = client.post(url, b"{}", content_type="application/json", **headers)
    assert wrong_type.status_code == 415
    ok = client.post(url, people_file(["GM1000"]), content_type="text/csv", **headers)
    assert ok.status_code == 201, ok.content
    assert ok.json() == {"created": ["p0.gm1000.nl@vvg"]}
    rows = list(csv.reader(io.StringIO(people_file(["GM1000"]).decode())))
    assert rows[0][0] == "naam"


def test_text_the_database_refuses_is_a_problem_with_its_line():
    data = b"naam,e-mail,lidcode,functie,rol\nJan\x00,jan@a.nl,,,secretariaat\n"
    with pytest.raises(people_csv.PeopleImportError) as caught:
        people_csv.parse_people(data)
    (problem,) = caught.value.problems
    assert problem.line == 2 and "U+0000" in str(problem)
