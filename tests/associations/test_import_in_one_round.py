"""The members import speaks Dutch, writes numbers and dates the Dutch way, and reports
every problem of a file in one round (a new member without a province included);
nothing is imported while a problem remains."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from besluit.associations import services as assoc
from besluit.associations.models import Member, PopulationFigure
from besluit.errors import ValidationFailed
from tests import factories


def _upload(content: bytes):
    return SimpleUploadedFile("leden.csv", content, content_type="text/csv")


def test_every_problem_in_one_round_including_a_new_member_without_a_province(association):
    before = Member.objects.count()
    content = (
        b"gemeentecode,naam,provincie,inwoners\n"
        b"GM0998,Zonderprovincie,,5000\n"  # new, no province: was only told in round two
        b"GM0997,Foutstad,Zeeland,veel\n"
        b"GM0997,Dubbelstad,Zeeland,10\n"
    )
    with translation.override("nl"), pytest.raises(ValidationFailed) as caught:
        assoc.do_import_members(actor=None, association=association, data=content)
    problems = caught.value.problems
    assert problems == [
        "regel 2, veld 'provincie': nieuw lid GM0998 heeft een provincie nodig",
        "regel 3, veld 'inwoners': geen geheel getal: 'veel'",
        "regel 4, veld 'gemeentecode': dubbele code GM0997: ook op regel 3",
    ]
    assert caught.value.message.startswith("Het bestand is niet ingelezen (3 problemen): ")
    assert Member.objects.count() == before


def test_a_known_member_needs_no_province(association):
    known = factories.member(association, 0)
    content = f"gemeentecode,naam,provincie,inwoners\n{known.code},{known.name},,5000\n".encode()
    report = assoc.do_import_members(actor=None, association=association, data=content)
    assert len(report.updated) == 1


def test_the_report_writes_numbers_and_dates_the_dutch_way(association):
    member = factories.member(association, 0)
    PopulationFigure.objects.filter(member=member).delete()
    PopulationFigure.objects.create(
        member=member, reference_date=datetime.date(2026, 1, 1), inhabitants=78105
    )
    content = (
        "gemeentecode,naam,provincie,inwoners,peildatum\n"
        f"{member.code},{member.name},{member.province},79500,2026-07-01\n"
    ).encode()
    with translation.override("nl"):
        report = assoc.do_import_members(actor=None, association=association, data=content)
        assert report.updated == [
            f"{member.code} {member.name}: inwoners 78.105 → 79.500 (peildatum 1 juli 2026)"
        ]
        assert report.summary == "0 nieuw, 1 bijgewerkt, 0 ongewijzigd"


def test_the_web_import_lists_every_problem_in_dutch(client, association, secretariat):
    client.force_login(secretariat)
    content = b"gemeentecode,naam,provincie,inwoners\nGM0998,Nieuw,,5000\nXX12,Fout,Zeeland,-3\n"
    url = reverse("web:members_import", args=[association.slug])
    response = client.post(url, {"file": _upload(content)})
    page = response.content.decode()
    assert response.status_code == 400
    assert "regel 2, veld &#x27;provincie&#x27;: nieuw lid GM0998 heeft een provincie nodig" in page
    assert "regel 3, veld &#x27;gemeentecode&#x27;: geen gemeentecode (GM en 4 cijfers)" in page
    assert "regel 3, veld &#x27;inwoners&#x27;: mag niet negatief zijn" in page
    assert "line " not in page and "not a " not in page
