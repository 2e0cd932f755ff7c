"""One way to write dates, times and numbers: "10 december 2026", "6 december 2026 om
04:28", "78.105" in Dutch; the same filters give the English forms to an English reader."""

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.template import Context, Template
from django.utils import translation

from besluit import formats

UTC = datetime.UTC
AMSTERDAM = ZoneInfo("Europe/Amsterdam")


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("nl", ("10 december 2026", "donderdag 10 december 2026", "6 december 2026 om 04:28")),
        ("en", ("10 December 2026", "Thursday 10 December 2026", "6 December 2026 at 04:28")),
    ],
)
def test_dates_and_moments(language, expected):
    # 03:28 UTC is 04:28 in Amsterdam (winter time): times are shown in the site's zone.
    at = datetime.datetime(2026, 12, 6, 3, 28, 9, tzinfo=UTC)
    with translation.override(language):
        got = (
            formats.day(datetime.date(2026, 12, 10)),
            formats.day(datetime.date(2026, 12, 10), weekday=True),
            formats.moment(at),
        )
        assert got == expected
        assert formats.clock(at) == "04:28"
        assert formats.clock(at, seconds=True) == "04:28:09"


def test_a_summer_moment_and_a_date_from_a_datetime():
    at = datetime.datetime(2026, 7, 1, 22, 30, tzinfo=UTC)  # 00:30 on 2 July in Amsterdam
    with translation.override("nl"):
        assert formats.day(at) == "2 juli 2026"
        assert formats.moment(at) == "2 juli 2026 om 00:30"


@pytest.mark.parametrize(
    ("value", "places", "nl", "en"),
    [
        (78105, None, "78.105", "78,105"),
        (17_942_360, None, "17.942.360", "17,942,360"),
        (999, None, "999", "999"),
        (Decimal("3.25"), 2, "3,25", "3.25"),
        (Decimal("1234.5"), 1, "1.234,5", "1,234.5"),
        (0.1 + 0.2, 2, "0,30", "0.30"),
    ],
)
def test_numbers(value, places, nl, en):
    with translation.override("nl"):
        assert formats.number(value, places) == nl
    with translation.override("en"):
        assert formats.number(value, places) == en


def test_nothing_is_a_dash():
    assert formats.day(None) == formats.moment(None) == formats.number(None) == "–"


def test_the_template_filters():
    template = Template(
        "{% load besluit %}{{ d|day }} | {{ d|day:'weekday' }} | {{ t|moment }} | "
        "{{ t|clock }} | {{ n|number }} | {{ w|number:2 }}"
    )
    context = Context(
        {
            "d": datetime.date(2026, 12, 10),
            "t": datetime.datetime(2026, 12, 6, 4, 28, tzinfo=AMSTERDAM),
            "n": 78105,
            "w": Decimal("3.25"),
        }
    )
    with translation.override("nl"):
        assert template.render(context) == (
            "10 december 2026 | donderdag 10 december 2026 | 6 december 2026 om 04:28 | "
            "04:28 | 78.105 | 3,25"
        )
