"""A live meeting is found without the manual: the meeting page and the home page show
each role its way in, and a meeting running today comes first on the home page."""

from datetime import datetime, timedelta

import pytest
from django.test import Client
from django.urls import reverse

from besluit.associations import services as assoc
from besluit.associations.models import Role
from besluit.demo.register import AMS
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def today(association):
    # Meetings are on the Dutch calendar: at 10:00 Amsterdam time today.
    starts = datetime.now(AMS).replace(hour=10, minute=0, second=0, microsecond=0)
    return factories.make_meeting(association, starts_at=starts)


def page(user, url) -> str:
    client = Client()
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def links(meeting):
    args = [meeting.association.slug, meeting.pk]
    return {
        "console": reverse("live:console", args=args),
        "projector": reverse("live:projector", args=args),
        "live": reverse("live:participant", args=args),
        "codes": reverse("live:voting_codes", args=args),
    }


@pytest.mark.parametrize(
    ("role", "shown", "hidden"),
    [
        ("chair", {"console", "projector", "live"}, {"codes"}),
        ("secretariat", {"console", "projector", "live", "codes"}, set()),
        ("representative", {"live"}, {"console", "projector", "codes"}),
    ],
)
def test_each_role_sees_its_way_in(role, shown, hidden, today, request):
    user = request.getfixturevalue(role)
    urls = links(today)
    for html in (
        page(user, reverse("web:home")),
        page(user, reverse("web:meeting", args=[today.association.slug, today.pk])),
    ):
        for name in shown:
            assert f'href="{urls[name]}"' in html, (role, name)
        for name in hidden:
            assert f'href="{urls[name]}"' not in html, (role, name)
    home = page(user, reverse("web:home"))
    expected = "Live volgen en stemmen" if role == "representative" else "Vergadering leiden"
    assert expected in home


def test_a_meeting_today_comes_first_on_the_home_page(association, today, chair):
    other = assoc.do_create_association(actor=None, name="Aaa Vereniging", slug="aaa")
    assoc.do_assign_role(actor=None, user=chair, association=other, kind=Role.Kind.CHAIR)
    factories.make_meeting(other)  # in a month: not today
    html = page(chair, reverse("web:home"))
    assert html.index(association.name) < html.index("Aaa Vereniging")
    assert html.index("Vandaag") < html.index(links(today)["console"])


def test_a_meeting_next_month_has_no_today_block(association, chair):
    meeting = factories.make_meeting(association)
    html = page(chair, reverse("web:home"))
    assert "Vandaag" not in html
    assert links(meeting)["console"] not in html
    # The meeting page still shows the ways in, before the day.
    detail = page(chair, reverse("web:meeting", args=[association.slug, meeting.pk]))
    assert links(meeting)["console"] in detail and "Live vergadering" in detail


def test_a_written_consultation_has_no_live_pages(association, chair):
    written = factories.make_meeting(
        association, kind="written", starts_at=datetime.now(AMS) - timedelta(days=1)
    )
    detail = page(chair, reverse("web:meeting", args=[association.slug, written.pk]))
    assert links(written)["console"] not in detail
